"""What if technicians left: the same answer as a real run without them, and nothing saved."""

import datetime
import random
import re
import threading
import time
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agreements.coverage.checks import coverage_data_changed_at
from agreements.coverage.engine import evaluate_coverage
from agreements.coverage.models import CoverageFlag, CoverageStatus
from agreements.models import Agreement
from agreements.planning import whatif
from agreements.planning.whatif import Share, what_if_technicians_leave
from skills.models import Technician
from tests.agreements.factories import AgreementFactory, RequirementFactory
from tests.clients.factories import ClientFactory
from tests.skills.factories import (
    CertificationFactory,
    SkillFactory,
    SkillVersionFactory,
    TechnicianCertificationFactory,
    TechnicianFactory,
    TechnicianSkillFactory,
)

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 26)
NOON = datetime.datetime(2026, 11, 26, 12, 0, tzinfo=datetime.UTC)
UNCOVERED = CoverageStatus.UNCOVERED
AT_RISK = CoverageStatus.AT_RISK


def build_team(seed):
    """A random but reproducible team, clients' requirements included; returns technicians."""
    rng = random.Random(seed)
    skills = [SkillFactory() for _ in range(4)]
    versions = {
        skill.pk: [SkillVersionFactory(skill=skill, rank=rank) for rank in (1, 2, 3)]
        for skill in skills
    }
    certifications = [CertificationFactory() for _ in range(2)]
    technicians = []
    for _ in range(7):
        leaves_in = rng.choice([None, None, None, 20, 90])
        technician = TechnicianFactory(
            available_until=DAY + datetime.timedelta(days=leaves_in) if leaves_in else None
        )
        technicians.append(technician)
        for skill in rng.sample(skills, rng.randint(1, 3)):
            known = versions[skill.pk]
            oldest, newest = sorted(rng.sample(range(3), 2))
            TechnicianSkillFactory(
                technician=technician,
                skill=skill,
                level=rng.randint(1, 5),
                oldest_version=rng.choice([None, known[oldest]]),
                newest_version=rng.choice([None, known[newest]]),
            )
        for certification in rng.sample(certifications, rng.randint(0, 2)):
            expires_in = rng.choice([None, 30, 400])
            TechnicianCertificationFactory(
                technician=technician,
                certification=certification,
                expires_on=DAY + datetime.timedelta(days=expires_in) if expires_in else None,
            )
    for _ in range(9):
        agreement = AgreementFactory(annual_value=Decimal(rng.randrange(1000, 40000, 100)))
        for _ in range(rng.randint(0, 3)):
            skill = rng.choice([*skills, None])
            RequirementFactory(
                agreement=agreement,
                skill=skill,
                version=rng.choice(versions[skill.pk]) if skill and rng.random() < 0.5 else None,
                certification=rng.choice(certifications) if skill is None else None,
                min_level=rng.randint(1, 5),
                min_technicians=rng.randint(1, 2),
            )
    return technicians


def outcome(result):
    """Everything a run says per agreement and requirement, comparable between runs."""
    return {
        agreement.agreement_id: (
            agreement.status,
            tuple(
                (r.requirement_id, r.status, r.qualified_ids, r.lasting_count, r.lapses_on)
                for r in agreement.requirements
            ),
        )
        for agreement in result.agreements
    }


def real_run_without(technicians):
    """Coverage with the technicians really departed, rolled back before returning."""
    with transaction.atomic():
        savepoint = transaction.savepoint()
        Technician.objects.filter(pk__in=[t.pk for t in technicians]).update(
            status=Technician.Status.DEPARTED
        )
        result = evaluate_coverage(day=DAY)
        transaction.savepoint_rollback(savepoint)
    return result


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_what_if_matches_a_real_run_without_those_technicians(seed):
    technicians = build_team(seed)
    leaving = random.Random(seed).sample(technicians, random.Random(seed).randint(1, 3))

    baseline = outcome(evaluate_coverage(day=DAY))

    what_if = what_if_technicians_leave(technician_ids=[t.pk for t in leaving], day=DAY)
    real = real_run_without(leaving)

    # The what-if evaluates only the agreements relying on them: those match the real run, and
    # every agreement it leaves out is the same in the real run as today.
    evaluated = outcome(what_if.scenario)
    left_out = baseline.keys() - evaluated.keys()
    assert evaluated == {pk: outcome(real)[pk] for pk in evaluated}
    assert {pk: outcome(real)[pk] for pk in left_out} == {pk: baseline[pk] for pk in left_out}
    real_agreements = [a for a in real.agreements if a.agreement_id in evaluated]
    assert (what_if.scenario.arr_uncovered, what_if.scenario.arr_at_risk) == (
        sum((a.annual_value for a in real_agreements if a.status == UNCOVERED), Decimal("0")),
        sum((a.annual_value for a in real_agreements if a.status == AT_RISK), Decimal("0")),
    )
    # The real run was rolled back.
    assert not Technician.objects.filter(status=Technician.Status.DEPARTED).exists()


@pytest.mark.parametrize("seed", [7, 8, 9])
def test_what_if_lists_exactly_the_agreements_that_get_worse(seed):
    technicians = build_team(seed)
    leaving = technicians[:2]
    baseline = {a.agreement_id: a for a in evaluate_coverage(day=DAY).agreements}
    real = real_run_without(leaving)
    worse = {
        a.agreement_id: a
        for a in real.agreements
        if CoverageStatus.severity_of(a.status)
        > CoverageStatus.severity_of(baseline[a.agreement_id].status)
    }

    what_if = what_if_technicians_leave(technician_ids=[t.pk for t in leaving], day=DAY)

    assert {c.agreement_id: (c.before, c.after) for c in what_if.changes} == {
        pk: (baseline[pk].status, a.status) for pk, a in worse.items()
    }
    assert what_if.arr_affected == sum((a.annual_value for a in worse.values()), Decimal("0"))


@pytest.fixture
def single_expert():
    """Only Dana has Exchange at level 4: without her, Harbor's 30,000 agreement is uncovered
    and Cove's 8,000 one, which needs two technicians at level 3, is left with Sam alone."""
    exchange = SkillFactory(name="Exchange")
    dana = TechnicianFactory(name="Dana Ortiz")
    TechnicianSkillFactory(technician=dana, skill=exchange, level=4)
    sam = TechnicianFactory(name="Sam Lee")
    TechnicianSkillFactory(technician=sam, skill=exchange, level=3)
    harbor = AgreementFactory(
        client=ClientFactory(name="Harbor Law Group"), annual_value=Decimal("30000.00")
    )
    RequirementFactory(agreement=harbor, skill=exchange, min_level=4, min_technicians=1)
    cove = AgreementFactory(client=ClientFactory(name="Cove"), annual_value=Decimal("8000.00"))
    RequirementFactory(agreement=cove, skill=exchange, min_level=3, min_technicians=2)
    return {"dana": dana, "sam": sam}


def test_what_if_reports_newly_uncovered_and_at_risk_revenue(single_expert):
    what_if = what_if_technicians_leave(technician_ids=[single_expert["dana"].pk], day=DAY)

    assert [(c.client_name, c.before, c.after) for c in what_if.changes] == [
        ("Harbor Law Group", CoverageStatus.COVERED, CoverageStatus.UNCOVERED),
        ("Cove", CoverageStatus.COVERED, CoverageStatus.AT_RISK),
    ]
    assert what_if.arr_newly_uncovered == Decimal("30000.00")
    assert what_if.arr_newly_at_risk == Decimal("8000.00")
    assert what_if.arr_affected == Decimal("38000.00")
    change = what_if.changes[0]
    assert change.requirements[0].reason == "No active technician has Exchange at level 4 or above"


def test_what_if_says_how_much_would_become_uncovered_thin_and_lapsing(single_expert):
    what_if = what_if_technicians_leave(technician_ids=[single_expert["dana"].pk], day=DAY)

    assert (what_if.newly_uncovered, what_if.newly_thin, what_if.newly_lapsing) == (
        Share(1, Decimal("30000.00")),
        Share(1, Decimal("8000.00")),
        Share(0, Decimal("0")),
    )
    assert [(c.client_name, c.after_risk_kind) for c in what_if.changes] == [
        ("Harbor Law Group", ""),
        ("Cove", "thin"),
    ]


def test_what_if_page_says_how_much_would_become_thin_and_how_much_lapsing(
    consultant_client, single_expert
):
    with time_machine.travel(NOON, tick=False):
        response = consultant_client.get(
            reverse("planning:what_if"), {"technician": [single_expert["dana"].pk]}
        )

    html = response.content.decode()
    assert 'data-testid="newly-thin">too few qualified today: 1 agreement ($8,000)' in html
    assert 'data-testid="newly-lapsing">lapsing within 60 days: none' in html
    assert "at risk among those relying on them: $0 today → $8,000" in html
    assert "At risk · thin" in html[html.index('data-testid="what-if-changes"') :]


def test_what_if_page_says_once_a_count_that_does_not_change(consultant_client, single_expert):
    with time_machine.travel(NOON, tick=False):
        response = consultant_client.get(
            reverse("planning:what_if"), {"technician": [single_expert["dana"].pk]}
        )

    html = response.content.decode()
    assert (
        'data-testid="what-if-worse">All 2 agreements relying on this technician would get worse<'
    ) in html
    assert "2 of the 2" not in html and "of the 2 relying" not in html


@pytest.mark.parametrize(
    ("leaving", "words"),
    [
        ("Kim Roe", "today 3 → 2, at the end of the window 2<"),
        ("Dana Ortiz", "today 3 → 2, at the end of the window 2 → 1<"),
        ("Sam Lee", "today 3 → 2, at the end of the window 2 → 1<"),
    ],
)
def test_what_if_page_says_once_a_thinner_count_that_stays(
    consultant_client, three_on_exchange, leaving, words
):
    technician = Technician.objects.get(name=leaving)
    with time_machine.travel(NOON, tick=False):
        response = consultant_client.get(
            reverse("planning:what_if"), {"technician": [technician.pk]}
        )

    thinner = response.content.decode().split('data-testid="what-if-thinner"')[1]
    assert f"Exchange at level 3+</span>: {words}" in thinner


def test_what_if_page_says_a_pair_of_changes_once_when_both_counts_change_alike(
    consultant_client,
):
    exchange = SkillFactory(name="Exchange")
    dana, sam = TechnicianFactory(name="Dana Ortiz"), TechnicianFactory(name="Sam Lee")
    for technician in (dana, sam):
        TechnicianSkillFactory(technician=technician, skill=exchange, level=3)
    RequirementFactory(skill=exchange, min_technicians=1)

    with time_machine.travel(NOON, tick=False):
        response = consultant_client.get(reverse("planning:what_if"), {"technician": [dana.pk]})

    thinner = response.content.decode().split('data-testid="what-if-thinner"')[1]
    assert "Exchange at level 3+</span>: 2 → 1 today and at the end of the window<" in thinner
    assert (
        'data-testid="what-if-worse">0 agreements would get worse and 1 thinner, of the 1 '
        "relying on this technician<"
    ) in response.content.decode()


def test_what_if_page_shows_the_arr_affected_and_saves_nothing(consultant_client, single_expert):
    with time_machine.travel(NOON, tick=False):
        response = consultant_client.get(
            reverse("planning:what_if"), {"technician": [single_expert["dana"].pk]}
        )

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="arr-affected">$38,000<' in html
    assert "Harbor Law Group" in html
    assert "No active technician has Exchange at level 4 or above" in html
    assert not CoverageFlag.objects.exists()
    assert set(Technician.objects.values_list("status", flat=True)) == {"active"}


def test_what_if_page_query_count_does_not_depend_on_the_choice(consultant_client, single_expert):
    url = reverse("planning:what_if")
    others = [TechnicianFactory().pk for _ in range(3)]
    consultant_client.get(url)
    with time_machine.travel(NOON, tick=False):
        with CaptureQueriesContext(connection) as one:
            consultant_client.get(url, {"technician": [single_expert["dana"].pk]})
        with CaptureQueriesContext(connection) as four:
            consultant_client.get(url, {"technician": [single_expert["dana"].pk, *others]})

    assert len(one) == len(four)


@pytest.fixture
def evaluations(monkeypatch):
    """The what-ifs evaluated in full (the real function, counted)."""
    calls = []
    real = whatif.what_if_technicians_leave

    def counted(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(whatif, "what_if_technicians_leave", counted)
    return calls


def test_what_if_page_is_evaluated_once_then_read_from_the_cache(
    consultant_client, single_expert, evaluations
):
    url = reverse("planning:what_if")
    choice = {"technician": [single_expert["dana"].pk]}

    computed = consultant_client.get(url, choice)
    cached = consultant_client.get(url, {**choice, "changes_page": 1})

    assert len(evaluations) == 1
    assert computed.context["result"] == cached.context["result"]
    for response in (computed, cached):
        html = response.content.decode()
        assert 'data-testid="arr-affected">$38,000<' in html
        assert "No active technician has Exchange at level 4 or above" in html


def test_a_coverage_relevant_write_makes_the_next_what_if_evaluate_again(
    consultant_client, single_expert, evaluations
):
    url = reverse("planning:what_if")
    choice = {"technician": [single_expert["dana"].pk]}
    consultant_client.get(url, choice)

    # Someone else learns what only Dana knew: her leaving would break nothing any more.
    exchange = single_expert["dana"].skills.get().skill
    TechnicianSkillFactory(technician=TechnicianFactory(name="Lee Park"), skill=exchange, level=4)
    html = consultant_client.get(url, choice).content.decode()

    assert len(evaluations) == 2
    assert "No agreement would become uncovered or at risk" in html
    assert 'data-testid="what-if-changes"' not in html


def _being_evaluated_elsewhere(*, technician_ids, day, then):
    """Hold the evaluation lock of this what-if as another request would, and after a moment
    run `then(key)` in a thread (that request finishing); returns the thread."""
    key = whatif.what_if_page_key(
        technician_ids=technician_ids, day=day, data_changed_at=coverage_data_changed_at()
    )
    assert cache.add(f"{key}:evaluating", True, timeout=30)

    def finish():
        time.sleep(0.3)
        then(key)

    thread = threading.Thread(target=finish)
    thread.start()
    return thread


def test_a_what_if_being_evaluated_by_another_request_is_waited_for_not_evaluated_again(
    single_expert, evaluations
):
    day = timezone.localdate()
    chosen = [single_expert["dana"].pk]
    theirs = whatif.WhatIfPage.of(what_if_technicians_leave(technician_ids=chosen, day=day))

    def kept_then_released(key):
        cache.set(key, theirs)
        cache.delete(f"{key}:evaluating")

    thread = _being_evaluated_elsewhere(technician_ids=chosen, day=day, then=kept_then_released)
    page = whatif.what_if_page(technician_ids=chosen, day=day)
    thread.join()

    assert evaluations == []
    assert page == theirs
    assert page.arr_affected == Decimal("38000")


def test_a_what_if_whose_other_evaluation_gave_up_is_evaluated_here(single_expert, evaluations):
    day = timezone.localdate()
    chosen = [single_expert["dana"].pk]

    def released_without_result(key):
        cache.delete(f"{key}:evaluating")

    thread = _being_evaluated_elsewhere(
        technician_ids=chosen, day=day, then=released_without_result
    )
    page = whatif.what_if_page(technician_ids=chosen, day=day)
    thread.join()

    assert len(evaluations) == 1
    assert page.arr_affected == Decimal("38000")
    assert whatif.what_if_page(technician_ids=chosen, day=day) == page
    assert len(evaluations) == 1


def test_a_what_if_is_evaluated_every_time_when_the_cache_keeps_none(
    settings, single_expert, evaluations
):
    settings.WHAT_IF_CACHE_SECONDS = 0
    day = timezone.localdate()
    chosen = [single_expert["dana"].pk]

    pages = [whatif.what_if_page(technician_ids=chosen, day=day) for _ in range(2)]

    assert len(evaluations) == 2
    assert pages[0] == pages[1]


def test_viewer_may_ask_what_if(viewer_client, single_expert):
    newcomer = TechnicianFactory(name="New Nora")

    response = viewer_client.get(reverse("planning:what_if"), {"technician": newcomer.pk})

    assert response.status_code == 200
    assert "No agreement would become uncovered or at risk" in response.content.decode()


def test_unknown_technician_ids_are_ignored(consultant_client, single_expert):
    response = consultant_client.get(reverse("planning:what_if"), {"technician": ["999999", "x"]})

    assert response.status_code == 200
    assert response.context["result"] is None


# ------------------------------------------------------------------------- agreements that thin


@pytest.fixture
def three_on_exchange():
    """Dana, Sam and Kim know Exchange at level 3; Bay needs one of them, so without Dana it is
    still covered, by two. Kim leaves in 30 days, inside the 60-day window."""
    exchange = SkillFactory(name="Exchange")
    team = {}
    for name, available_until in [
        ("Dana Ortiz", None),
        ("Sam Lee", None),
        ("Kim Roe", DAY + datetime.timedelta(days=30)),
    ]:
        team[name] = TechnicianFactory(name=name, available_until=available_until)
        TechnicianSkillFactory(technician=team[name], skill=exchange, level=3)
    bay = AgreementFactory(client=ClientFactory(name="Bay Dental"), annual_value=Decimal("9000"))
    RequirementFactory(agreement=bay, skill=exchange, min_level=3, min_technicians=1)
    return {"dana": team["Dana Ortiz"], "bay": bay}


def test_what_if_lists_agreements_that_merely_get_thinner(three_on_exchange):
    dana = three_on_exchange["dana"]

    what_if = what_if_technicians_leave(technician_ids=[dana.pk], day=DAY)

    assert what_if.changes == ()
    assert [
        (
            c.client_name,
            c.before,
            c.after,
            [
                (r.label, r.qualified_before, r.qualified_after, r.lasting_before, r.lasting_after)
                for r in c.requirements
            ],
        )
        for c in what_if.thinner
    ] == [("Bay Dental", "covered", "covered", [("Exchange at level 3+", 3, 2, 2, 1)])]


def test_agreement_that_gets_worse_is_not_also_listed_as_thinner(single_expert):
    what_if = what_if_technicians_leave(technician_ids=[single_expert["dana"].pk], day=DAY)

    assert (len(what_if.changes), what_if.thinner) == (2, ())


def test_thinner_agreement_lists_only_the_requirements_that_lose_someone(three_on_exchange):
    RequirementFactory(
        agreement=three_on_exchange["bay"], skill=SkillFactory(name="Veeam"), min_technicians=1
    )

    what_if = what_if_technicians_leave(technician_ids=[three_on_exchange["dana"].pk], day=DAY)

    assert [(c.after, [r.label for r in c.requirements]) for c in what_if.thinner] == [
        (UNCOVERED, ["Exchange at level 3+"])
    ]


def test_what_if_page_shows_the_thinner_agreements(consultant_client, three_on_exchange):
    with time_machine.travel(NOON, tick=False):
        response = consultant_client.get(
            reverse("planning:what_if"), {"technician": [three_on_exchange["dana"].pk]}
        )

    html = response.content.decode()
    thinner = html[html.index('data-testid="what-if-thinner"') :]
    assert "Bay Dental" in thinner
    assert "today 3 → 2, at the end of the window 2 → 1" in thinner


def test_what_if_page_pages_the_thinner_agreements_most_valuable_first(
    consultant_client, three_on_exchange
):
    exchange = three_on_exchange["bay"].requirements.get().skill
    for _ in range(25):
        RequirementFactory(
            agreement=AgreementFactory(annual_value=Decimal("100000")),
            skill=exchange,
            min_technicians=1,
        )

    with time_machine.travel(NOON, tick=False):
        response = consultant_client.get(
            reverse("planning:what_if"), {"technician": [three_on_exchange["dana"].pk]}
        )

    html = response.content.decode()
    assert "Bay Dental" not in html  # the least valuable of 26
    assert "1–25 of 26" in html

    with time_machine.travel(NOON, tick=False):
        second = consultant_client.get(
            reverse("planning:what_if"),
            {"technician": [three_on_exchange["dana"].pk], "thinner_page": 2},
        )
    assert [change.client_name for change in second.context["thinner_page"]] == ["Bay Dental"]
    assert f"technician={three_on_exchange['dana'].pk}&amp;thinner_page=1" in (
        second.content.decode()
    )


# -------------------------------------------------------------- which agreements are evaluated


@pytest.fixture
def chosen():
    return TechnicianFactory(name="Chosen One")


def evaluated_ids(technician):
    what_if = what_if_technicians_leave(technician_ids=[technician.pk], day=DAY)
    return {a.agreement_id for a in what_if.baseline.agreements}


def relying_requirement(chosen, case):
    """A requirement of a new agreement and what `chosen` knows or holds for it."""
    skill = SkillFactory()
    versions = [SkillVersionFactory(skill=skill, rank=rank) for rank in (1, 2, 3)]
    certification = CertificationFactory()
    agreement = AgreementFactory(
        status=Agreement.Status.DRAFT if case == "draft" else Agreement.Status.ACTIVE
    )
    known = {"skill": skill, "level": 3}
    wanted = {"skill": skill, "min_level": 3}
    if case == "level-below":
        known["level"] = 2
    elif case == "version-in-open-range":
        known["oldest_version"], wanted["version"] = versions[1], versions[2]
    elif case == "version-at-both-known-bounds":
        known["oldest_version"] = known["newest_version"] = wanted["version"] = versions[1]
    elif case == "version-older-than-known":
        known["oldest_version"], wanted["version"] = versions[1], versions[0]
    elif case == "version-newer-than-known":
        known["newest_version"], wanted["version"] = versions[1], versions[2]
    elif case == "skill-and-certification":
        wanted["certification"] = certification
    if case.startswith("certification"):
        expires_in = -1 if case == "certification-expired" else 0
        TechnicianCertificationFactory(
            technician=chosen,
            certification=certification,
            expires_on=DAY + datetime.timedelta(days=expires_in),
        )
        wanted = {"skill": None, "certification": certification}
    else:
        TechnicianSkillFactory(technician=chosen, **known)
    RequirementFactory(agreement=agreement, min_technicians=1, **wanted)
    return agreement


@pytest.mark.parametrize(
    ("case", "evaluated"),
    [
        ("skill-at-level", True),
        ("level-below", False),
        ("version-in-open-range", True),
        ("version-at-both-known-bounds", True),
        ("version-older-than-known", False),
        ("version-newer-than-known", False),
        ("certification-valid-on-the-day", True),
        ("certification-expired", False),
        ("skill-and-certification", True),  # matched on the skill alone: a superset
        ("draft", False),
    ],
)
def test_what_if_evaluates_only_active_agreements_relying_on_the_chosen(chosen, case, evaluated):
    agreement = relying_requirement(chosen, case)

    assert (agreement.pk in evaluated_ids(chosen)) is evaluated


def test_what_if_runs_the_same_queries_for_one_or_many_technicians(single_expert):
    others = [TechnicianFactory().pk for _ in range(5)]
    with CaptureQueriesContext(connection) as one:
        what_if_technicians_leave(technician_ids=[single_expert["dana"].pk], day=DAY)
    with CaptureQueriesContext(connection) as six:
        what_if_technicians_leave(technician_ids=[single_expert["dana"].pk, *others], day=DAY)

    # the warning window in force; both sides from one read of eight queries and six of the
    # team's time, the agreements relying on them a subquery
    assert (len(one), len(six)) == (15, 15)


def test_what_if_picker_is_a_search_box_showing_only_the_chosen_above_30_technicians(
    consultant_client,
):
    team = [TechnicianFactory(name=f"Technician {number:02d}") for number in range(31)]

    response = consultant_client.get(reverse("planning:what_if"), {"technician": [team[4].pk]})

    html = response.content.decode()
    assert "Technician 04" in html
    assert "Technician 05" not in html
    assert reverse("skills:technician_autocomplete") in html


def test_what_if_picks_among_30_technicians_or_fewer_with_checkboxes(consultant_client):
    team = [TechnicianFactory(name=f"Technician {number:02d}") for number in range(30)]
    TechnicianFactory(name="Gone Already", status=Technician.Status.DEPARTED)

    response = consultant_client.get(reverse("planning:what_if"), {"technician": [team[4].pk]})

    html = response.content.decode()
    boxes = [
        (int(re.search(r'value="(\d+)"', tag).group(1)), " checked" in tag)
        for tag in re.findall(r'<input type="checkbox"[^>]*name="technician"[^>]*>', html)
    ]
    assert boxes == [(technician.pk, technician == team[4]) for technician in team]
    assert "Gone Already" not in html
    assert reverse("skills:technician_autocomplete") not in html
    assert response.context["result"] is not None


def test_what_if_refuses_more_than_fifty_technicians_at_once(consultant_client):
    team = [TechnicianFactory() for _ in range(51)]

    response = consultant_client.get(
        reverse("planning:what_if"), {"technician": [t.pk for t in team]}
    )

    assert response.status_code == 200
    assert response.context["result"] is None
    assert "Pick at most 50 technicians at a time." in response.content.decode()
