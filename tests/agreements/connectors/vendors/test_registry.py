import pytest

from agreements.connectors.http import ConnectorError
from agreements.connectors.vendors import VENDORS, vendor
from agreements.connectors.vendors.base import SYNCS, VOCABULARIES
from agreements.imports.kinds import KINDS
from tests.agreements.connectors.vendors.fixtures import (
    autotask,
    connectwise,
    datto,
    halopsa,
    ninjaone,
)

EXPECTED = {
    "autotask": autotask.EXPECTED_ROWS,
    "connectwise": connectwise.EXPECTED_ROWS,
    "datto": datto.EXPECTED_ROWS,
    "halopsa": halopsa.EXPECTED_ROWS,
    "ninjaone": ninjaone.EXPECTED_ROWS,
}
LABELS = {
    "connectwise": "ConnectWise PSA",
    "autotask": "Autotask",
    "halopsa": "HaloPSA",
    "ninjaone": "NinjaOne",
    "datto": "Datto RMM",
}


def test_the_five_vendors_are_known_by_kind_and_label():
    assert {kind: module.label for kind, module in VENDORS.items()} == LABELS


@pytest.mark.parametrize("kind", sorted(LABELS))
def test_a_vendor_says_what_it_syncs_and_which_credentials_are_secret(kind):
    module = vendor(kind)
    keys = [key for key, _ in module.credential_fields]
    assert module.kind == kind
    assert len(keys) == len(set(keys))
    assert module.secret_keys and module.secret_keys <= set(keys)
    assert module.syncs and module.syncs <= SYNCS
    assert all(callable(getattr(module, name)) for name in ("open", "test", "fetch"))


def test_an_unknown_kind_is_said_plainly():
    with pytest.raises(ConnectorError, match="'kaseya' is not a kind of connection Covered knows"):
        vendor("kaseya")


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_rows_carry_the_required_columns_of_their_import_kind_and_no_other(kind):
    for kind_name, rows in EXPECTED[kind].items():
        columns = {column.key for column in KINDS[kind_name].columns}
        assert rows
        for row in rows:
            assert set(row) <= columns, (kind_name, set(row) - columns)
            assert set(KINDS[kind_name].required()) <= set(row), kind_name
            assert all(isinstance(cell, str) for cell in row.values())


def test_the_vocabularies_are_the_ones_the_mappings_read():
    assert set(VOCABULARIES) == {
        "agreement_types",
        "additions",
        "skills",
        "skill_levels",
        "certifications",
        "software_titles",
    }
