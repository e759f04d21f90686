import pytest

from agreements.imports.kinds import KINDS
from tests.agreements.connectors.vendors.fixtures import (
    autotask,
    connectwise,
    datto,
    halopsa,
    ninjaone,
)

EXPECTED = {
    "halopsa": halopsa.EXPECTED_ROWS,
    "autotask": autotask.EXPECTED_ROWS,
    "connectwise": connectwise.EXPECTED_ROWS,
    "ninjaone": ninjaone.EXPECTED_ROWS,
    "datto": datto.EXPECTED_ROWS,
}


@pytest.mark.parametrize("vendor", sorted(EXPECTED))
def test_rows_carry_the_required_columns_of_their_import_kind_and_no_other(vendor):
    for kind, rows in EXPECTED[vendor].items():
        columns = {column.key for column in KINDS[kind].columns}
        assert rows
        for row in rows:
            assert set(row) <= columns, (kind, set(row) - columns)
            assert set(KINDS[kind].required()) <= set(row), kind
