"""The vendors a connection can read, each a module that knows one vendor's endpoints,
authentication, paging and field names (see `base.Vendor`)."""

from agreements.connectors.http import ConnectorError
from agreements.connectors.vendors import autotask, connectwise, datto, halopsa, ninjaone
from agreements.connectors.vendors.base import Vendor

VENDORS: dict[str, Vendor] = {
    module.kind: module for module in (connectwise, autotask, halopsa, ninjaone, datto)
}


def vendor(kind: str) -> Vendor:
    try:
        return VENDORS[kind]
    except KeyError:
        raise ConnectorError(f"'{kind}' is not a kind of connection Covered knows") from None
