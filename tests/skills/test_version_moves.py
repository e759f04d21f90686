"""The version a client moves to (DESIGN "End of support"): the first along the successor chain
still supported after the date that matters, the old version's end or today once that has
passed; the newest of the chain when none is."""

import datetime

import pytest

from skills.models import SkillVersion
from skills.selectors import version_moves
from tests.skills.factories import SkillFactory, SkillVersionFactory

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2026, 8, 1)


def chain(name, *versions):
    """Versions of one skill, each succeeded by the next: (label, end of support)."""
    skill = SkillFactory(name=name)
    made = [
        SkillVersionFactory(skill=skill, label=label, rank=rank, end_of_support=end)
        for rank, (label, end) in enumerate(versions, start=1)
    ]
    for version, successor in zip(made, made[1:], strict=False):
        version.successor = successor
        version.save()
    return made


def test_a_client_past_its_end_skips_a_successor_that_has_ended_too():
    v2022, v2023, v2024 = chain(
        "QuickBooks Desktop",
        ("2022", D(2025, 5, 31)),
        ("2023", D(2026, 5, 31)),  # ended before today
        ("2024", D(2027, 5, 31)),
    )

    move = version_moves(version_ids=[v2022.pk], day=TODAY)[v2022.pk]

    assert (move.target_id, move.target_label, move.target_supported) == (
        v2024.pk,
        "QuickBooks Desktop 2024",
        True,
    )
    assert move.out_of_support
    assert move.label == "QuickBooks Desktop 2022"


def test_a_version_ending_later_moves_to_the_first_successor_supported_after_that_end():
    v2016, _, _ = chain(
        "Exchange Server",
        ("2016", D(2027, 1, 12)),
        ("2019", D(2027, 1, 12)),  # ends the same day: no support after the move
        ("SE", None),
    )

    move = version_moves(version_ids=[v2016.pk], day=TODAY)[v2016.pk]

    assert (move.target_label, move.target_supported, move.out_of_support) == (
        "Exchange Server SE",
        True,
        False,
    )


def test_the_date_that_matters_is_the_old_versions_end_when_it_is_still_ahead():
    v2016, v2019, _ = chain(
        "Windows Server",
        ("2016", D(2027, 1, 12)),
        ("2019", D(2029, 1, 9)),
        ("2022", D(2031, 10, 14)),
    )

    move = version_moves(version_ids=[v2016.pk], day=TODAY)[v2016.pk]

    assert move.target_id == v2019.pk


def test_with_no_supported_version_the_newest_of_the_chain_is_named_as_not_supported():
    v10, _, v12 = chain(
        "Legacy ERP",
        ("10", D(2023, 1, 1)),
        ("11", D(2024, 1, 1)),
        ("12", D(2025, 1, 1)),
    )

    move = version_moves(version_ids=[v10.pk], day=TODAY)[v10.pk]

    assert (move.target_id, move.target_supported) == (v12.pk, False)


def test_a_version_without_successor_moves_nowhere_and_a_loop_ends():
    lonely = SkillVersionFactory(end_of_support=D(2025, 1, 1))
    first, second = chain("Looping app", ("1", D(2024, 1, 1)), ("2", D(2025, 1, 1)))
    SkillVersion.objects.filter(pk=second.pk).update(successor=first)

    moves = version_moves(version_ids=[lonely.pk, first.pk], day=TODAY)

    assert (moves[lonely.pk].target_id, moves[lonely.pk].target_label) == (None, "")
    assert (moves[first.pk].target_id, moves[first.pk].target_supported) == (second.pk, False)
    assert set(moves) == {lonely.pk, first.pk}


def test_one_query_for_any_number_of_versions(django_assert_num_queries):
    versions = chain("Windows", *((str(n), D(2020 + n, 1, 1)) for n in range(8)))

    with django_assert_num_queries(1):
        moves = version_moves(version_ids=[v.pk for v in versions], day=TODAY)

    assert len(moves) == 8


def test_a_version_ended_on_an_unknown_day_is_out_of_support_and_never_moved_to():
    v9, v10, v2025 = chain("SonarQube", ("9", None), ("10", None), ("2025", None))
    SkillVersion.objects.filter(pk__in=[v9.pk, v10.pk]).update(end_of_support_unknown=True)

    move = version_moves(version_ids=[v9.pk], day=TODAY)[v9.pk]

    assert (move.out_of_support, move.end_of_support) == (True, None)
    assert move.out_of_support_text == "out of support (ended, date unknown)"
    assert (move.target_id, move.target_supported) == (v2025.pk, True)  # past 10, ended too
