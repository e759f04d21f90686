"""Lifecycle data: each version's end of support and successor, from a dated snapshot of public
lifecycle data.

The catalog ships one snapshot, skills/data/lifecycle.json, which names its source and the day it
was taken. `lifecycle_snapshot_load()` writes a snapshot into the catalog's versions only when it
is newer than the last one loaded: it sets the date and successor of every version it lists,
appends a version the catalog lacks after the skill's newest, and skips skills the catalog does not
have. The same or an older snapshot changes nothing, so a hand-made correction stays until newer
data arrives.
"""

import datetime
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from core.formatting import day_text
from skills.models import LifecycleSnapshot, Skill, SkillVersion
from skills.selectors import lifecycle_snapshot_newest

SHIPPED_SNAPSHOT = Path(__file__).resolve().parent / "data" / "lifecycle.json"
RANK_STEP = 10


class LifecycleFileError(ValueError):
    """A lifecycle file that cannot be read; the message says where and why."""


@dataclass(frozen=True)
class VersionLifecycle:
    label: str
    end_of_support: datetime.date | None
    successor: str = ""


@dataclass(frozen=True)
class ProductLifecycle:
    skill: str
    versions: tuple[VersionLifecycle, ...]


@dataclass(frozen=True)
class Snapshot:
    source: str
    taken_on: datetime.date
    products: tuple[ProductLifecycle, ...]


@dataclass
class LifecycleLoad:
    """What loading a snapshot did: `record` is None when it was not newer than the last one."""

    snapshot: Snapshot
    record: LifecycleSnapshot | None = None
    skipped_skills: list[str] = field(default_factory=list)

    def __str__(self):
        day = day_text(self.snapshot.taken_on)
        if self.record is None:
            return f"lifecycle data of {day} not newer than what is loaded, nothing changed"
        text = f"lifecycle data of {day} loaded, {self.record.versions_updated} versions updated"
        if self.skipped_skills:
            text += f" (not in the catalog, skipped: {', '.join(self.skipped_skills)})"
        return text


# ------------------------------------------------------------------------------ reading


def _required(mapping, key, where):
    if not isinstance(mapping, dict) or key not in mapping:
        raise LifecycleFileError(f"{where}: “{key}” is missing.")
    return mapping[key]


def _text(mapping, key, where, *, max_length):
    value = _required(mapping, key, where)
    if not isinstance(value, str) or not value.strip():
        raise LifecycleFileError(f"{where}: “{key}” must be a non-empty text.")
    if len(value) > max_length:
        raise LifecycleFileError(f"{where}: “{key}” is longer than {max_length} characters.")
    return value.strip()


def _day(value, where, key):
    if value is None:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise LifecycleFileError(
            f"{where}: “{key}” must be a date written YYYY-MM-DD or null, not {value!r}."
        ) from None


def _product(entry, position):
    where = f"product {position}"
    skill = _text(entry, "skill", where, max_length=Skill._meta.get_field("name").max_length)
    where = skill
    rows = _required(entry, "versions", where)
    if not isinstance(rows, list) or not rows:
        raise LifecycleFileError(f"{where}: “versions” must be a non-empty list.")
    label_length = SkillVersion._meta.get_field("label").max_length
    versions = []
    for row in rows:
        label = _text(row, "label", f"{where}, a version", max_length=label_length)
        version_where = f"{skill} {label}"
        end_of_support = _day(
            _required(row, "end_of_support", version_where), version_where, "end_of_support"
        )
        successor = row.get("successor") or ""
        if not isinstance(successor, str):
            raise LifecycleFileError(f"{version_where}: “successor” must be a version label.")
        versions.append(VersionLifecycle(label, end_of_support, successor.strip()))
    labels = [version.label.lower() for version in versions]
    for version in versions:
        if labels.count(version.label.lower()) > 1:
            raise LifecycleFileError(f"{skill} {version.label} is listed twice.")
        if version.successor.lower() == version.label.lower():
            raise LifecycleFileError(f"{skill} {version.label} cannot succeed itself.")
    return ProductLifecycle(skill, tuple(versions))


def lifecycle_snapshot_read(path: Path | str = SHIPPED_SNAPSHOT) -> Snapshot:
    """Read and check a lifecycle file; LifecycleFileError names what is wrong."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise LifecycleFileError(f"{path.name} cannot be read: {error.strerror}.") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise LifecycleFileError(f"{path.name} is not valid JSON: {error}.") from None
    where = path.name
    source = _text(
        data, "source", where, max_length=LifecycleSnapshot._meta.get_field("source").max_length
    )
    taken_on = _day(_required(data, "taken_on", where), where, "taken_on")
    if taken_on is None:
        raise LifecycleFileError(f"{where}: “taken_on” must be a date written YYYY-MM-DD.")
    products = _required(data, "products", where)
    if not isinstance(products, list) or not products:
        raise LifecycleFileError(f"{where}: “products” must be a non-empty list.")
    return Snapshot(
        source,
        taken_on,
        tuple(_product(entry, position) for position, entry in enumerate(products, start=1)),
    )


# ------------------------------------------------------------------------------ loading


def _product_load(skill, product):
    """Write one product's dates and successors; returns how many versions changed. A successor
    may be a version the file lists or one the catalog already has."""
    versions = {version.label.lower(): version for version in skill.versions.all()}
    rank = max((version.rank for version in versions.values()), default=0)
    added = set()
    for entry in product.versions:
        if entry.label.lower() not in versions:
            rank += RANK_STEP
            version = SkillVersion.objects.create(skill=skill, label=entry.label, rank=rank)
            versions[entry.label.lower()] = version
            added.add(version.pk)
    changed = 0
    for entry in product.versions:
        version = versions[entry.label.lower()]
        successor = versions.get(entry.successor.lower()) if entry.successor else None
        if entry.successor and successor is None:
            raise LifecycleFileError(
                f"{skill.name} {entry.label}: the successor “{entry.successor}” is neither "
                f"listed for {skill.name} nor one of its versions in the catalog."
            )
        if (
            version.pk in added
            or version.end_of_support != entry.end_of_support
            or version.successor_id != (successor.pk if successor else None)
        ):
            version.end_of_support = entry.end_of_support
            version.successor = successor
            version.save(update_fields=["end_of_support", "successor"])
            changed += 1
    return changed


@transaction.atomic
def lifecycle_snapshot_load(snapshot: Snapshot) -> LifecycleLoad:
    """Write a snapshot into the catalog's versions when it is newer than the last one loaded."""
    load = LifecycleLoad(snapshot)
    latest = lifecycle_snapshot_newest()
    if latest is not None and latest.taken_on >= snapshot.taken_on:
        return load
    changed = 0
    for product in snapshot.products:
        skill = Skill.objects.filter(name__iexact=product.skill).first()
        if skill is None:
            load.skipped_skills.append(product.skill)
            continue
        changed += _product_load(skill, product)
    load.record = LifecycleSnapshot.objects.create(
        source=snapshot.source, taken_on=snapshot.taken_on, versions_updated=changed
    )
    return load
