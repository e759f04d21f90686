"""Agreement terms (DESIGN "Agreement terms, renewals and reminders"): the current term and its
notice deadline on any day, renewal terms anchored on the initial end date; stored on the
agreement, refreshed on save and nightly; auto-renewing agreements stay active; the others expire
once, with the reason in their history."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from agreements.coverage.engine import evaluate_coverage
from agreements.coverage.runs import coverage_run_execute
from agreements.models import Agreement
from agreements.selectors import annual_value_active_on
from agreements.services import agreement_terms_roll_over
from agreements.terms import Term, term_on
from core.models import add_months
from tests.agreements.factories import AgreementFactory

D = datetime.date


def term(day, *, start, end, renew=True, months=12, notice=90):
    return term_on(
        day,
        start_date=start,
        end_date=end,
        auto_renew=renew,
        renewal_term_months=months,
        notice_days=notice,
    )


# ------------------------------------------------------------------------------ arithmetic


def test_a_renewal_term_after_an_initial_term_ending_on_the_last_of_february():
    assert term(D(2027, 3, 1), start=D(2026, 3, 1), end=D(2027, 2, 28)) == Term(
        start=D(2027, 3, 1), end=D(2028, 2, 29), number=1, notice_by=D(2027, 12, 1)
    )


def test_thirty_six_months_then_twelve_at_a_time_with_ninety_days_notice():
    contract = {"start": D(2025, 1, 1), "end": D(2027, 12, 31), "months": 12, "notice": 90}

    assert term(D(2026, 6, 1), **contract) == Term(
        D(2025, 1, 1), D(2027, 12, 31), 0, D(2027, 10, 2)
    )
    assert term(D(2028, 1, 15), **contract) == Term(
        D(2028, 1, 1), D(2028, 12, 31), 1, D(2028, 10, 2)
    )
    assert term(D(2031, 12, 31), **contract).start == D(2031, 1, 1)


def test_renewal_terms_are_counted_from_the_initial_end_date_not_chained():
    monthly = {"start": D(2026, 10, 1), "end": D(2027, 1, 30), "months": 1, "notice": 0}

    ends = [term(add_months(D(2027, 2, 15), n), **monthly).end for n in range(3)]

    # Chained, 28 Feb + 1 month would give 28 Mar; anchored on 30 Jan it is 30 Mar.
    assert ends == [D(2027, 2, 28), D(2027, 3, 30), D(2027, 4, 30)]


def test_an_initial_end_on_a_months_last_day_keeps_every_term_on_a_months_last_day():
    monthly = {"start": D(2026, 10, 1), "end": D(2026, 11, 30), "months": 1, "notice": 0}

    ends = [term(add_months(D(2026, 12, 15), n), **monthly).end for n in range(3)]

    assert ends == [D(2026, 12, 31), D(2027, 1, 31), D(2027, 2, 28)]


def test_an_evergreen_agreement_has_one_term_without_end_or_notice():
    assert term(D(2030, 1, 1), start=D(2026, 1, 1), end=None) == Term(D(2026, 1, 1), None, 0, None)


def test_an_agreement_that_does_not_renew_has_no_term_after_its_end():
    assert term(D(2027, 1, 1), start=D(2026, 1, 1), end=D(2026, 12, 31), renew=False) is None


@settings(max_examples=400, deadline=None)
@given(
    start=st.dates(D(2020, 1, 1), D(2030, 12, 31)),
    initial_months=st.integers(1, 60),
    short_by_days=st.integers(0, 3),
    months=st.integers(1, 36),
    notice=st.integers(0, 400),
    renew=st.booleans(),
    later_by_days=st.integers(0, 3650),
)
def test_terms_tile_the_timeline_and_give_notice_before_they_end(
    start, initial_months, short_by_days, months, notice, renew, later_by_days
):
    end = max(start, add_months(start, initial_months) - datetime.timedelta(days=short_by_days))
    day = start + datetime.timedelta(days=later_by_days)
    contract = {"start": start, "end": end, "renew": renew, "months": months, "notice": notice}

    current = term(day, **contract)

    if not renew and day > end:
        assert current is None
        return
    assert current.start <= day <= current.end
    assert current.notice_by == current.end - datetime.timedelta(days=notice)
    if current.number == 0:
        assert (current.start, current.end) == (start, end)
    else:
        # No gap, no overlap: the day before this term is the last day of the previous one.
        previous = term(current.start - datetime.timedelta(days=1), **contract)
        assert previous.end == current.start - datetime.timedelta(days=1)
        assert previous.number == current.number - 1
        assert current.end == max(current.start, current.end)


# ------------------------------------------------------------------------------ stored terms


pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2027, 3, 10, 15, tzinfo=datetime.UTC)


@time_machine.travel(TODAY, tick=False)
def test_saving_stores_the_current_term_and_its_notice_deadline():
    agreement = AgreementFactory(
        start_date=D(2026, 3, 1), end_date=D(2027, 2, 28), auto_renew=True, notice_days=90
    )

    stored = Agreement.objects.values("term_start", "term_end", "notice_date").get()
    assert stored == {
        "term_start": D(2027, 3, 1),
        "term_end": D(2028, 2, 29),
        "notice_date": D(2027, 12, 1),
    }
    assert agreement.current_term() == Term(D(2027, 3, 1), D(2028, 2, 29), 1, D(2027, 12, 1))


def test_the_nightly_roll_over_moves_an_auto_renewing_agreement_to_its_next_term():
    with time_machine.travel(datetime.datetime(2027, 2, 20, 15, tzinfo=datetime.UTC)):
        AgreementFactory(start_date=D(2026, 3, 1), end_date=D(2027, 2, 28), auto_renew=True)
    assert Agreement.objects.get().term_end == D(2027, 2, 28)

    result = agreement_terms_roll_over(day=D(2027, 3, 1))

    assert result.renewed == 1
    assert Agreement.objects.values_list("term_start", "term_end").get() == (
        D(2027, 3, 1),
        D(2028, 2, 29),
    )


@time_machine.travel(TODAY, tick=False)
def test_an_auto_renewing_agreement_stays_active_in_coverage_and_arr_after_its_end():
    renewing = AgreementFactory(
        end_date=D(2027, 1, 31), auto_renew=True, annual_value=Decimal("12000")
    )
    AgreementFactory(end_date=D(2027, 1, 31), auto_renew=False, annual_value=Decimal("5000"))
    day = D(2027, 3, 10)

    assert list(Agreement.objects.active_on(day)) == [renewing]
    assert annual_value_active_on(Agreement.objects.all(), day=day) == Decimal("12000")
    assert [result.agreement_id for result in evaluate_coverage(day=day).agreements] == [
        renewing.pk
    ]


def test_an_agreement_that_does_not_renew_is_expired_once_with_the_reason_in_history():
    ended = AgreementFactory(end_date=D(2027, 1, 31), auto_renew=False)
    cancelled = AgreementFactory(end_date=D(2027, 1, 31), status=Agreement.Status.CANCELLED)
    renewing = AgreementFactory(end_date=D(2027, 1, 31), auto_renew=True)

    first = agreement_terms_roll_over(day=D(2027, 2, 1))
    second = agreement_terms_roll_over(day=D(2027, 2, 2))

    ended.refresh_from_db()
    assert (first.expired, second.expired) == (1, 0)
    assert ended.status == Agreement.Status.EXPIRED
    assert ended.history.first().history_change_reason == (
        "Expired: its end date, 31 Jan 2027, has passed and it does not renew automatically."
    )
    assert ended.history.count() == 2
    cancelled.refresh_from_db()
    assert (cancelled.status, cancelled.end_date) == (Agreement.Status.CANCELLED, D(2027, 1, 31))
    renewing.refresh_from_db()
    assert renewing.status == Agreement.Status.ACTIVE


def test_changing_the_terms_is_recorded_in_history():
    agreement = AgreementFactory(end_date=D(2027, 12, 31), renewal_term_months=12)

    agreement.renewal_term_months = 24
    agreement.save()

    newest, older = agreement.history.all()[:2]
    assert (older.renewal_term_months, newest.renewal_term_months) == (12, 24)


def test_a_bulk_update_of_the_terms_refreshes_the_stored_term():
    with time_machine.travel(TODAY, tick=False):
        agreement = AgreementFactory(end_date=D(2027, 1, 31), auto_renew=False)
        Agreement.objects.filter(pk=agreement.pk).update(auto_renew=True)

    assert Agreement.objects.values_list("term_start", "term_end").get() == (
        D(2027, 2, 1),
        D(2028, 1, 31),
    )


# ------------------------------------------------------------------------------ pages


@time_machine.travel(TODAY, tick=False)
def test_the_agreement_page_shows_the_current_term(client, consultant):
    client.force_login(consultant)  # in the travelled time, or the session would have expired
    agreement = AgreementFactory(
        start_date=D(2026, 3, 1), end_date=D(2027, 2, 28), auto_renew=True, notice_days=90
    )

    html = client.get(reverse("agreements:detail", args=[agreement.pk])).content

    assert "1 Mar 2027 – 29 Feb 2028 · renews automatically · notice by 1 Dec 2027" in html.decode()


@time_machine.travel(TODAY, tick=False)
def test_the_list_filters_by_renewal_and_notice_within_days(client, consultant):
    client.force_login(consultant)
    soon = AgreementFactory(
        title="Renews soon", start_date=D(2026, 4, 1), end_date=D(2027, 3, 31), auto_renew=True
    )
    AgreementFactory(  # notice by 3 May 2027
        title="Renews later",
        start_date=D(2026, 4, 1),
        end_date=D(2027, 9, 30),
        auto_renew=True,
        notice_days=150,
    )
    url = reverse("agreements:list")

    renewing = client.get(url, {"renews_within": 30}).context["object_list"]
    notice = client.get(url, {"notice_within": 90}).context["object_list"]

    assert [agreement.title for agreement in renewing] == [soon.title]
    assert [agreement.title for agreement in notice] == ["Renews later"]


def test_the_nightly_run_rolls_the_terms_over_before_it_checks_coverage():
    ended = AgreementFactory(end_date=D(2027, 1, 31), auto_renew=False)
    renewing = AgreementFactory(end_date=D(2027, 1, 31), auto_renew=True)

    coverage_run_execute(run_date=D(2027, 2, 1))

    ended.refresh_from_db()
    renewing.refresh_from_db()
    assert ended.status == Agreement.Status.EXPIRED
    assert (renewing.term_start, renewing.term_end) == (D(2027, 2, 1), D(2028, 1, 31))
