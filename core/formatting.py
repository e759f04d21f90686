"""How values read wherever people see them: pages, Django admin, emails and commands."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
# English abbreviations whatever the process locale (strftime's %b follows the locale).
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def money(value) -> str:
    """US dollars with thousands separators, cents only when there are any.

    165000 → "$165,000"; Decimal("25500.50") → "$25,500.50"; None → "".
    """
    if value is None or value == "":
        return ""
    amount = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    if amount == amount.to_integral_value():
        return f"{sign}${amount:,.0f}"
    return f"{sign}${amount:,.2f}"


def day_text(day: datetime.date | None) -> str:
    """A date as people write it in sentences: date(2027, 1, 6) → "6 Jan 2027"; None → ""."""
    if day is None:
        return ""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def count_text(count: int, word: str, plural: str | None = None) -> str:
    """A count and its noun: (1, "technician") → "1 technician"; (2, "technician") →
    "2 technicians"; `plural` when it is not the word and an s."""
    if count == 1:
        return f"{count} {word}"
    return f"{count} {plural or word + 's'}"


def person_name(user) -> str:
    """A user as people know them: the full name, the username when there is none; "" for
    nobody."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def some_names(names, *, shown=3):
    """At most `shown` names, the rest counted: "Ann, Bob, Cy and 4 others"."""
    names = list(names)
    if len(names) <= shown + 1:
        return join_names(names)
    return f"{', '.join(names[:shown])} and {len(names) - shown} others"


def join_names(names):
    """Names as a phrase: Ann / Ann and Bob / Ann, Bob and Cy."""
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"
