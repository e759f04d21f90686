"""The plan of attack: training goals, and completing one resolves the flags it was meant to."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from agreements.coverage.checks import coverage_check_run
from agreements.coverage.engine import evaluate_coverage
from agreements.coverage.flags import flags_sync
from agreements.coverage.models import CoverageCheck, CoverageFlag
from agreements.planning.models import PlannedRequirement
from agreements.planning.selectors import goal_reaches
from agreements.planning.services import training_goal_complete
from skills.models import TechnicianCertification, TechnicianSkill, TrainingGoal
from skills.services import training_goal_cancel, training_goal_create, training_goal_start
from tests.agreements.factories import AgreementFactory, RequirementFactory
from tests.clients.factories import ClientFactory
from tests.skills.factories import (
    CertificationFactory,
    SkillFactory,
    SkillVersionFactory,
    TechnicianCertificationFactory,
    TechnicianFactory,
    TechnicianSkillFactory,
    TrainingGoalFactory,
)

DAY = datetime.date(2026, 11, 26)
NOON = datetime.datetime(2026, 11, 26, 12, 0, tzinfo=datetime.UTC)

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOON, tick=False)]


@pytest.fixture
def flagged():
    """Harbor Law Group needs Exchange 2016 at level 3 from one technician; nobody has it.

    A second, unrelated agreement needs a CCNA holder nobody has: its flag must stay open.
    """
    exchange = SkillFactory(name="Exchange")
    v2013 = SkillVersionFactory(skill=exchange, label="2013", rank=1)
    v2016 = SkillVersionFactory(skill=exchange, label="2016", rank=2)
    v2019 = SkillVersionFactory(skill=exchange, label="2019", rank=3)
    dana = TechnicianFactory(name="Dana Ortiz")
    TechnicianSkillFactory(
        technician=dana, skill=exchange, level=2, oldest_version=v2019, newest_version=v2019
    )
    harbor = AgreementFactory(client=ClientFactory(name="Harbor Law Group"))
    requirement = RequirementFactory(
        agreement=harbor, skill=exchange, version=v2016, min_level=3, min_technicians=1
    )
    ccna = CertificationFactory(name="CCNA")
    plant = AgreementFactory(client=ClientFactory(name="Brennan"))
    RequirementFactory(agreement=plant, skill=None, certification=ccna, min_technicians=1)
    flags_sync(result=evaluate_coverage(day=DAY), now=timezone.now())
    assert CoverageFlag.objects.filter(resolved_at__isnull=True).count() == 2
    goal = training_goal_create(
        technician=dana,
        skill=exchange,
        target_level=3,
        target_version=v2016,
        due_date=DAY + datetime.timedelta(days=30),
        reason="Harbor runs Exchange 2016",
    )
    return {
        "goal": goal,
        "dana": dana,
        "exchange": exchange,
        "v2013": v2013,
        "v2016": v2016,
        "v2019": v2019,
        "requirement": requirement,
        "ccna": ccna,
    }


# ------------------------------------------------------------------------------ services


def test_completing_a_skill_goal_records_the_skill_and_resolves_the_flag(flagged, consultant):
    outcome = training_goal_complete(
        goal=flagged["goal"],
        level=3,
        oldest_version=flagged["v2016"],
        newest_version=flagged["v2019"],
        user=consultant,
    )

    assert [(f.requirement_id, f.agreement.client.name) for f in outcome.resolving] == [
        (flagged["requirement"].pk, "Harbor Law Group")
    ]
    skill = TechnicianSkill.objects.get(technician=flagged["dana"], skill=flagged["exchange"])
    assert (skill.level, skill.oldest_version, skill.newest_version) == (
        3,
        flagged["v2016"],
        flagged["v2019"],
    )
    record = skill.history.order_by("-history_date", "-history_id").first()
    assert record.history_user == consultant
    goal = TrainingGoal.objects.get(pk=flagged["goal"].pk)
    assert (goal.status, goal.completed_on) == (TrainingGoal.Status.DONE, DAY)


def test_completing_a_goal_queues_a_check_that_resolves_the_flag_and_keeps_the_others(
    flagged, consultant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        training_goal_complete(
            goal=flagged["goal"],
            level=3,
            oldest_version=flagged["v2016"],
            newest_version=flagged["v2019"],
            user=consultant,
        )

    check = CoverageCheck.objects.get()
    assert (check.trigger, check.requested_by, check.resolved_flags_count) == (
        "manual",
        consultant,
        1,
    )
    still_open = CoverageFlag.objects.filter(resolved_at__isnull=True)
    assert [flag.requirement_label for flag in still_open] == ["CCNA"]


def test_a_level_reached_outside_the_client_version_resolves_nothing(flagged, consultant):
    outcome = training_goal_complete(
        goal=flagged["goal"],
        level=3,
        oldest_version=flagged["v2019"],
        newest_version=flagged["v2019"],
        user=consultant,
    )

    assert outcome.resolving == []
    assert CoverageFlag.objects.filter(resolved_at__isnull=True).count() == 2


def test_completing_a_certification_goal_adds_the_certification(flagged, consultant):
    goal = training_goal_create(
        technician=flagged["dana"], certification=flagged["ccna"], due_date=DAY
    )

    resolved = training_goal_complete(goal=goal, earned_on=DAY, user=consultant).resolving

    assert [flag.requirement_label for flag in resolved] == ["CCNA"]
    held = TechnicianCertification.objects.get(technician=flagged["dana"])
    assert (held.certification, held.earned_on) == (flagged["ccna"], DAY)


def test_completing_a_recertification_renews_the_held_certification(consultant):
    ccna = CertificationFactory(name="CCNA", validity_months=36)
    held = TechnicianCertificationFactory(
        certification=ccna,
        earned_on=datetime.date(2023, 12, 1),
        expires_on=datetime.date(2026, 12, 1),
    )
    goal = training_goal_create(
        technician=held.technician, certification=ccna, due_date=DAY, cost=Decimal("300.00")
    )

    training_goal_complete(goal=goal, earned_on=DAY, user=consultant)

    held.refresh_from_db()
    assert (held.earned_on, held.expires_on) == (DAY, datetime.date(2029, 11, 26))
    assert TechnicianCertification.objects.count() == 1


def test_a_finished_goal_cannot_be_completed_again(flagged, consultant):
    training_goal_complete(goal=flagged["goal"], level=3, user=consultant)

    with pytest.raises(ValidationError, match="already done"):
        training_goal_complete(goal=flagged["goal"], level=3, user=consultant)


def test_goal_moves_from_planned_to_in_progress_then_cancelled():
    goal = TrainingGoalFactory()

    training_goal_start(goal=goal)
    assert goal.status == TrainingGoal.Status.IN_PROGRESS
    training_goal_cancel(goal=goal)
    assert TrainingGoal.objects.get(pk=goal.pk).status == TrainingGoal.Status.CANCELLED
    with pytest.raises(ValidationError):
        training_goal_start(goal=goal)


def test_training_goal_create_validates_the_target():
    with pytest.raises(ValidationError) as error:
        training_goal_create(technician=TechnicianFactory(), due_date=DAY)

    assert "skill" in error.value.message_dict


# ------------------------------------------------------------------------------ pages


def test_plan_page_groups_goals_by_status_and_highlights_overdue(consultant_client):
    TrainingGoalFactory(
        technician=TechnicianFactory(name="Late Larry"), due_date=DAY - datetime.timedelta(1)
    )
    TrainingGoalFactory(
        technician=TechnicianFactory(name="Busy Bea"),
        status=TrainingGoal.Status.IN_PROGRESS,
        due_date=DAY + datetime.timedelta(10),
    )
    TrainingGoalFactory(technician=TechnicianFactory(name="Done Dan"), status="done")

    response = consultant_client.get(reverse("planning:plan"))

    html = response.content.decode()
    assert response.status_code == 200
    planned = html.index('data-testid="goals-planned"')
    in_progress = html.index('data-testid="goals-in_progress"')
    done = html.index('data-testid="goals-done"')
    assert planned < html.index("Late Larry") < in_progress < html.index("Busy Bea") < done
    assert done < html.index("Done Dan")
    assert html.count("overdue") >= 2  # the header count and the row's badge
    assert "table-danger" in html
    assert "Mark done" in html


def test_mark_done_page_prefills_the_target(consultant_client, flagged):
    response = consultant_client.get(reverse("planning:goal_done", args=[flagged["goal"].pk]))

    assert response.status_code == 200
    form = response.context["form"]
    assert form["level"].value() == 3
    # Dana knew 2019 only; the goal is 2016: the range widens to 2016–2019.
    assert form["oldest_version"].value() == flagged["v2016"].pk
    assert form["newest_version"].value() == flagged["v2019"].pk
    assert "earned_on" not in form.fields
    assert "Harbor Law Group" in response.content.decode()


def test_mark_done_says_which_flag_it_resolved(
    consultant_client, flagged, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = consultant_client.post(
            reverse("planning:goal_done", args=[flagged["goal"].pk]),
            {
                "level": "3",
                "oldest_version": flagged["v2016"].pk,
                "newest_version": flagged["v2019"].pk,
            },
            follow=True,
        )

    assert response.status_code == 200
    assert "Resolved: Exchange 2016 at level 3+ for Harbor Law Group" in (response.content.decode())
    assert not CoverageFlag.objects.filter(
        requirement=flagged["requirement"], resolved_at__isnull=True
    ).exists()


def test_mark_done_rerenders_a_reversed_version_range(consultant_client, flagged):
    response = consultant_client.post(
        reverse("planning:goal_done", args=[flagged["goal"].pk]),
        {
            "level": "3",
            "oldest_version": flagged["v2019"].pk,
            "newest_version": flagged["v2013"].pk,
        },
    )

    assert response.status_code == 200
    assert "is older than oldest version" in response.content.decode()
    assert TrainingGoal.objects.get(pk=flagged["goal"].pk).status == TrainingGoal.Status.PLANNED


def test_start_and_cancel_from_the_plan_page(consultant_client):
    goal = TrainingGoalFactory()

    consultant_client.post(reverse("planning:goal_start", args=[goal.pk]))
    goal.refresh_from_db()
    assert goal.status == TrainingGoal.Status.IN_PROGRESS
    consultant_client.post(reverse("planning:goal_cancel", args=[goal.pk]))
    goal.refresh_from_db()
    assert goal.status == TrainingGoal.Status.CANCELLED


def test_viewer_sees_the_plan_without_edit_controls(viewer_client):
    TrainingGoalFactory()

    response = viewer_client.get(reverse("planning:plan"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Mark done" not in html
    assert "Cancel goal" not in html
    assert "<form" not in html.split('id="content"')[1]


def test_viewer_gets_403_on_every_plan_change(viewer_client, flagged):
    pk = flagged["goal"].pk
    for name in ("planning:goal_start", "planning:goal_cancel", "planning:goal_done"):
        assert viewer_client.post(reverse(name, args=[pk]), {"level": "3"}).status_code == 403
    assert viewer_client.get(reverse("planning:goal_done", args=[pk])).status_code == 403
    assert TrainingGoal.objects.get(pk=pk).status == TrainingGoal.Status.PLANNED


def test_admin_can_complete_a_goal(client, admin_user, flagged):
    client.force_login(admin_user)

    response = client.post(
        reverse("planning:goal_done", args=[flagged["goal"].pk]),
        {"level": "4", "oldest_version": flagged["v2016"].pk, "newest_version": ""},
    )

    assert response.status_code == 302
    assert TrainingGoal.objects.get(pk=flagged["goal"].pk).status == TrainingGoal.Status.DONE


def test_plan_page_lists_technicians_without_a_baseline_certification(consultant_client):
    mcp = CertificationFactory(name="MCP", is_baseline=True)
    TechnicianFactory(name="Kevin Brandt")
    holder = TechnicianFactory(name="Holly Holder")
    TechnicianCertificationFactory(technician=holder, certification=mcp)

    response = consultant_client.get(reverse("planning:plan"))

    html = response.content.decode()
    assert "<strong>Kevin Brandt</strong> holds no valid baseline certification" in html
    assert "Holly Holder" not in html
    assert "Plan MCP by" in html


def test_mark_done_names_the_flags_still_open(consultant_client, flagged):
    requirement = flagged["requirement"]
    requirement.min_technicians = 2
    requirement.save()

    response = consultant_client.post(
        reverse("planning:goal_done", args=[flagged["goal"].pk]),
        {"level": "3", "oldest_version": flagged["v2016"].pk, "newest_version": ""},
        follow=True,
    )

    html = response.content.decode()
    assert "No open flag was resolved." in html
    assert (
        "Still open: Exchange 2016 at level 3+ for Harbor Law Group "
        "(at risk: Only Dana Ortiz qualifies (2 needed))."
    ) in html


def test_plan_page_shows_open_goals_a_page_at_a_time(consultant_client):
    skill = SkillFactory()
    for number in range(30):
        TrainingGoalFactory(
            technician=TechnicianFactory(name=f"Trainee {number:02d}"),
            skill=skill,
            due_date=DAY + datetime.timedelta(days=number),
        )

    first = consultant_client.get(reverse("planning:plan"))
    second = consultant_client.get(reverse("planning:plan"), {"planned_page": 2})

    planned = next(s for s in first.context["sections"] if s["status"] == "planned")
    assert (len(planned["rows"]), planned["total"]) == (25, 30)
    assert first.context["open_count"] == 30
    later = next(s for s in second.context["sections"] if s["status"] == "planned")
    assert [row["goal"].technician.name for row in later["rows"]][-1] == "Trainee 29"


def test_baseline_card_lists_technicians_a_page_at_a_time(consultant_client):
    CertificationFactory(name="MCP", is_baseline=True)
    TechnicianFactory.create_batch(12)

    first = consultant_client.get(reverse("planning:plan"))
    second = consultant_client.get(reverse("planning:plan"), {"bpage": 2})

    assert len(first.context["baseline_rows"]) == 10
    assert len(second.context["baseline_rows"]) == 2
    assert "1–10 of 12" in first.content.decode()


# ------------------------------------------------------------------------------ from a flag


def test_add_to_plan_from_a_requirement_is_prefilled_with_it_and_the_nearest_candidate(
    consultant_client, flagged
):
    coverage_check_run(day=DAY, trigger=CoverageCheck.Trigger.MANUAL)
    requirement = flagged["requirement"]

    response = consultant_client.get(
        reverse("planning:add_to_plan"), {"requirement": requirement.pk}
    )

    html = response.content.decode()
    assert f'name="requirement" value="{requirement.pk}"' in html
    assert f'name="technicians" value="{flagged["dana"].pk}"' in html
    assert f'<option value="{flagged["v2016"].pk}" selected>' in html
    assert '<option value="3" selected>' in html
    assert "Harbor Law Group" in html
    agreement = requirement.agreement
    assert f'href="{reverse("agreements:detail", args=[agreement.pk])}">Back to' in html


def test_add_to_plan_from_an_at_risk_requirement_proposes_someone_not_yet_qualified(
    consultant_client, flagged
):
    """Sam alone delivers Exchange 2016 where two are needed: the plan proposes Dana."""
    sam = TechnicianFactory(name="Sam Lee")
    TechnicianSkillFactory(technician=sam, skill=flagged["exchange"], level=4)
    requirement = flagged["requirement"]
    requirement.min_technicians = 2
    requirement.save()
    check = coverage_check_run(day=DAY, trigger=CoverageCheck.Trigger.MANUAL)
    assert check.requirement_results.get(requirement=requirement).status == "at_risk"

    response = consultant_client.get(
        reverse("planning:add_to_plan"), {"requirement": requirement.pk}
    )

    html = response.content.decode()
    assert f'name="technicians" value="{flagged["dana"].pk}"' in html
    assert f'name="technicians" value="{sam.pk}"' not in html
    assert f'<option value="{flagged["v2016"].pk}" selected>' in html


def test_add_to_plan_ignores_a_requirement_that_does_not_exist(consultant_client, flagged):
    response = consultant_client.get(reverse("planning:add_to_plan"), {"requirement": "987654"})

    assert response.status_code == 200
    assert 'name="technicians" value=' not in response.content.decode()


def test_a_goal_added_for_a_requirement_is_linked_to_it(consultant_client, flagged):
    requirement = flagged["requirement"]
    response = consultant_client.post(
        reverse("planning:add_to_plan"),
        {
            "requirement": requirement.pk,
            "technicians": [flagged["dana"].pk],
            "skill": flagged["exchange"].pk,
            "target_level": 3,
            "target_version": flagged["v2016"].pk,
            "due_date": "2027-01-15",
        },
    )

    assert response.status_code == 302
    goal = TrainingGoal.objects.exclude(pk=flagged["goal"].pk).get()
    assert PlannedRequirement.objects.get(goal=goal).requirement == requirement


def test_plan_shows_each_goal_against_the_flags_it_should_resolve(consultant_client, flagged):
    TrainingGoalFactory(
        technician=flagged["dana"], skill=flagged["exchange"], target_level=2, reason="too low"
    )

    html = consultant_client.get(reverse("planning:plan")).content.decode()

    # The Exchange 2016 level 3 goal resolves Harbor's flag; the level 2 one resolves nothing.
    assert html.count('data-testid="goal-flag"') == 1
    assert "Exchange 2016 at level 3" in html


def test_plan_shows_the_total_cost_of_each_status(consultant_client, flagged):
    flagged["goal"].cost = Decimal("400")
    flagged["goal"].save()
    TrainingGoalFactory(technician=flagged["dana"], cost=Decimal("165.50"))
    TrainingGoalFactory(technician=flagged["dana"], cost=Decimal("300"), status="cancelled")

    html = consultant_client.get(reverse("planning:plan")).content.decode()

    assert 'data-testid="cost-planned">$565.50<' in html
    assert 'data-testid="cost-cancelled">$300<' in html


def test_a_goal_whose_requirement_someone_else_covers_says_so(consultant_client, flagged):
    PlannedRequirement.objects.create(goal=flagged["goal"], requirement=flagged["requirement"])
    CoverageFlag.objects.filter(requirement=flagged["requirement"]).update(resolved_at=NOON)

    html = consultant_client.get(reverse("planning:plan")).content.decode()

    assert 'data-testid="covered-elsewhere"' in html
    assert f'action="{reverse("planning:goal_cancel", args=[flagged["goal"].pk])}"' in html


def test_goal_reaches_a_requirement_of_its_skill_version_and_level(flagged):
    goal, requirement = flagged["goal"], flagged["requirement"]
    assert goal_reaches(goal, requirement)
    goal.target_version = flagged["v2019"]
    assert not goal_reaches(goal, requirement)
    goal.target_version = None
    assert goal_reaches(goal, requirement)
    goal.target_level = 2
    assert not goal_reaches(goal, requirement)


def test_editing_a_goal_changes_its_due_date_and_cost(consultant_client, flagged):
    goal = flagged["goal"]
    url = reverse("planning:goal_update", args=[goal.pk])
    assert consultant_client.get(url).status_code == 200

    response = consultant_client.post(
        url,
        {
            "target_level": 4,
            "target_version": flagged["v2016"].pk,
            "due_date": "2027-02-01",
            "reason": "Harbor",
            "cost": "950",
        },
    )

    assert response.status_code == 302
    goal.refresh_from_db()
    assert (goal.target_level, goal.due_date, goal.cost) == (
        4,
        datetime.date(2027, 2, 1),
        Decimal("950"),
    )


def test_a_bad_edit_changes_nothing(consultant_client, flagged):
    goal = flagged["goal"]

    response = consultant_client.post(
        reverse("planning:goal_update", args=[goal.pk]),
        {"target_level": 9, "due_date": "2027-02-30", "cost": "-5"},
    )

    assert response.status_code == 200
    goal.refresh_from_db()
    assert (goal.target_level, goal.cost) == (3, None)


def test_a_closed_goal_cannot_be_edited(consultant_client, flagged):
    training_goal_cancel(goal=flagged["goal"])

    response = consultant_client.post(
        reverse("planning:goal_update", args=[flagged["goal"].pk]),
        {"target_level": 4, "due_date": "2027-02-01"},
    )

    assert response.status_code == 200
    assert "cannot be edited" in response.content.decode()


def test_agreement_page_shows_a_candidates_open_goal_for_the_skill(consultant_client, flagged):
    agreement = flagged["requirement"].agreement

    html = consultant_client.get(reverse("agreements:detail", args=[agreement.pk])).content.decode()

    assert "Training goal: Exchange 2016 at level 3, due 26 Dec 2026, planned" in html
    assert f"?requirement={flagged['requirement'].pk}" in html


def test_dashboard_and_report_page_offer_add_to_plan_on_each_open_flag(
    client, consultant, viewer, flagged
):
    check = coverage_check_run(day=DAY, trigger=CoverageCheck.Trigger.MANUAL)
    link = f"{reverse('planning:add_to_plan')}?requirement={flagged['requirement'].pk}"
    pages = [reverse("coverage:dashboard"), reverse("coverage:report_detail", args=[check.pk])]

    client.force_login(consultant)
    assert all(link in client.get(url).content.decode() for url in pages)
    client.force_login(viewer)
    assert all("Add to plan" not in client.get(url).content.decode() for url in pages)
