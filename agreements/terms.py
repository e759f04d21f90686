"""An agreement's terms (DESIGN "Agreement terms, renewals and reminders"): the initial term from
start_date to end_date (none: evergreen) and, when it renews automatically, renewal terms of
`renewal_term_months` (R) months. The one function that says which term is current on a day and
its notice deadline.

Renewal term k (k ≥ 1) ends on end_date + k·R months, always counted from the initial end date
(never from the previous term's end, so short months do not drift the anchor), clamped to the
month's last day; when end_date is the last day of its month, every term ends on the last day of
its month. Term k starts the day after term k−1 ends, so the terms tile the timeline without gap
or overlap.
"""

import calendar
import datetime
from dataclasses import dataclass

from core.models import add_months


@dataclass(frozen=True)
class Term:
    start: datetime.date
    end: datetime.date | None  # None: evergreen
    number: int  # 0 for the initial term, k for the k-th renewal
    notice_by: datetime.date | None  # the last day to give notice; None when evergreen


def _last_day_of_month(day: datetime.date) -> bool:
    return day.day == calendar.monthrange(day.year, day.month)[1]


def renewal_end(end_date: datetime.date, number: int, months: int) -> datetime.date:
    """The last day of renewal term `number` (0: the initial end date)."""
    end = add_months(end_date, number * months)
    if _last_day_of_month(end_date):
        end = end.replace(day=calendar.monthrange(end.year, end.month)[1])
    return end


def _term(start, end, number, notice_days) -> Term:
    notice_by = None if end is None else end - datetime.timedelta(days=notice_days)
    return Term(start=start, end=end, number=number, notice_by=notice_by)


def initial_term(
    *, start_date: datetime.date, end_date: datetime.date | None, notice_days: int
) -> Term:
    return _term(start_date, end_date, 0, notice_days)


def term_on(
    day: datetime.date,
    *,
    start_date: datetime.date,
    end_date: datetime.date | None,
    auto_renew: bool,
    renewal_term_months: int,
    notice_days: int,
) -> Term | None:
    """The term in force on `day`: the initial term up to its end (and before the start, the
    term to come), then the renewal term holding `day` when the agreement renews automatically.
    None after the end of an agreement that does not renew: it has no term any more."""
    if end_date is None or day <= end_date:
        return initial_term(start_date=start_date, end_date=end_date, notice_days=notice_days)
    if not auto_renew or renewal_term_months < 1:
        return None
    months_past = (day.year - end_date.year) * 12 + day.month - end_date.month
    number = max(1, months_past // renewal_term_months)
    while number > 1 and renewal_end(end_date, number - 1, renewal_term_months) >= day:
        number -= 1
    while renewal_end(end_date, number, renewal_term_months) < day:
        number += 1
    start = renewal_end(end_date, number - 1, renewal_term_months) + datetime.timedelta(days=1)
    return _term(start, renewal_end(end_date, number, renewal_term_months), number, notice_days)


def agreement_term_on(agreement, day: datetime.date) -> Term | None:
    """`term_on` for an agreement's own fields."""
    return term_on(
        day,
        start_date=agreement.start_date,
        end_date=agreement.end_date,
        auto_renew=agreement.auto_renew,
        renewal_term_months=agreement.renewal_term_months,
        notice_days=agreement.notice_days,
    )
