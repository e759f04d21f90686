import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template

from core.formatting import count_text, day_text, money


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("165000"), "$165,000"),
        (Decimal("165000.00"), "$165,000"),
        (Decimal("25500.50"), "$25,500.50"),
        (Decimal("0.005"), "$0.01"),
        (0, "$0"),
        (1500, "$1,500"),
        (Decimal("-40"), "-$40"),
        (None, ""),
    ],
)
def test_money_reads_as_dollars_with_cents_only_when_there_are_any(value, shown):
    assert money(value) == shown


def test_pages_emails_and_admin_share_the_money_filter():
    rendered = Template("{% load covered %}{{ value|money }}").render(
        Context({"value": Decimal("41000.00")})
    )

    assert rendered == "$41,000"


@pytest.mark.parametrize(
    ("day", "shown"),
    [
        (datetime.date(2027, 1, 15), "15 Jan 2027"),
        (datetime.date(2027, 3, 1), "1 Mar 2027"),
        (datetime.date(2026, 9, 30), "30 Sep 2026"),
        (datetime.date(2026, 12, 31), "31 Dec 2026"),
        (None, ""),
    ],
)
def test_day_text_reads_day_month_abbreviation_and_year(day, shown):
    assert day_text(day) == shown


def test_count_text_says_one_without_an_s_and_more_with_one():
    assert [count_text(n, "technician") for n in (0, 1, 2)] == [
        "0 technicians",
        "1 technician",
        "2 technicians",
    ]


def test_some_names_counts_the_rest():
    from core.formatting import some_names

    assert some_names(["Ann"]) == "Ann"
    assert some_names(["Ann", "Bob", "Cy", "Dee"]) == "Ann, Bob, Cy and Dee"
    assert some_names(["Ann", "Bob", "Cy", "Dee", "Eve"]) == "Ann, Bob, Cy and 2 others"
