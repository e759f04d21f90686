"""Which fields of an object are kept by a system outside Covered.

A PSA or RMM connection (agreements/connectors/) keeps the fields it syncs: they are read-only in
the forms and a technician's proposal on them is refused. The forms and services that ask sit in
lower layers (skills, clients, the contract book) than the connectors, so they ask here, and the
connectors register their lookup when the agreements app is ready: the read-side twin of a signal,
like core/registry.py.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Model


@dataclass(frozen=True)
class Keeper:
    """Who keeps an object's `fields` ("ConnectWise PSA: Head office"), to name it to the user."""

    name: str
    fields: frozenset[str]


Lookup = Callable[[Model], Keeper | None]
_lookups: dict[str, Lookup] = {}


def register(key: str, lookup: Lookup) -> None:
    """Add `lookup` under `key`; registering the same key again replaces it (ready() may run
    twice)."""
    _lookups[key] = lookup


def kept_by(instance: Model) -> Keeper | None:
    """The first registered keeper of `instance`'s fields, or None when Covered keeps them all."""
    if instance.pk is None:
        return None
    for lookup in _lookups.values():
        keeper = lookup(instance)
        if keeper is not None:
            return keeper
    return None
