"""Lifecycle data: each version's end of support and successor, from dated snapshots of public
lifecycle data.

Three formats are read (lifecycle_snapshot_read):
- our own (skills/data/lifecycle.json, the snapshot the catalog ships): a source line, the day
  it was taken, and per product its versions' end of support and successor;
- endoflife.date's API v1 (a product, `result.releases[]` with `name`, `isEol`, `eolFrom`; or
  a list of products), dated by its `generated_at`;
- an endoflife.date product file (Markdown with YAML front matter, `releases[]` with
  `releaseCycle` and `eol`: a date, true or false), dated by `taken_on`, which it lacks.

endoflife.date names release cycles its own way ("22.04", "2012-r2", SQL Server's "14.0"): the
mapping in skills/data/endoflife.json turns them into our products and version labels. A cycle
that maps to no version of the catalog is left out (and said), never added as a duplicate. `eol:
false` is supported (no end date), `eol: true` ended on a day the source does not give.

`lifecycle_snapshot_load()` judges recency per product: it writes a product only when the
snapshot is newer than the last one that wrote that product, so a one-product file never blocks
another product's later load, and the same or an older snapshot changes nothing for it (a
correction is a newer snapshot with its own source line, never a made-up date).
"""

import datetime
import json
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import yaml
from django.conf import settings
from django.db import transaction

from core.formatting import day_text
from skills.models import LifecycleRefresh, LifecycleSnapshot, Skill, SkillVersion
from skills.selectors import lifecycle_taken_on_by_skill

DATA = Path(__file__).resolve().parent / "data"
SHIPPED_SNAPSHOT = DATA / "lifecycle.json"
ENDOFLIFE_MAPPING = DATA / "endoflife.json"
RANK_STEP = 10
LISTED_AT_MOST = 5  # names listed in a load's summary before "and N more"


class LifecycleFileError(ValueError):
    """A lifecycle file that cannot be read; the message says where and why."""


@dataclass(frozen=True)
class VersionLifecycle:
    label: str
    end_of_support: datetime.date | None
    successor: str | None = ""  # None: the source names no successor, the catalog's stays
    end_unknown: bool = False  # support has ended, on a day the source does not give
    may_add: bool = True  # False: a release cycle no mapping names, written only onto a match


@dataclass(frozen=True)
class ProductLifecycle:
    skill: str
    versions: tuple[VersionLifecycle, ...]
    source: str = ""  # a source of its own (QuickBooks: Intuit's policy), else the snapshot's


@dataclass(frozen=True)
class Snapshot:
    source: str
    taken_on: datetime.date
    products: tuple[ProductLifecycle, ...]


def _names(names) -> str:
    names = list(names)
    text = ", ".join(names[:LISTED_AT_MOST])
    if len(names) > LISTED_AT_MOST:
        text += f" and {len(names) - LISTED_AT_MOST} more"
    return text


@dataclass
class LifecycleLoad:
    """What loading a snapshot did: one record per source line (a product may name a source of
    its own), none when it was newer for none of the products the catalog has."""

    snapshot: Snapshot
    records: list[LifecycleSnapshot] = field(default_factory=list)
    skipped_skills: list[str] = field(default_factory=list)
    not_newer: list[str] = field(default_factory=list)  # products loaded from newer data already
    left_out: dict[str, list[str]] = field(default_factory=dict)  # product: cycles not matched
    products_loaded: int = 0

    @property
    def record(self) -> LifecycleSnapshot | None:
        """The record of the snapshot's own source line (else of the first product's)."""
        own = [record for record in self.records if record.source == self.snapshot.source]
        return (own or self.records or [None])[0]

    @property
    def versions_updated(self) -> int:
        return sum(record.versions_updated for record in self.records)

    def __str__(self):
        day = day_text(self.snapshot.taken_on)
        if not self.records:
            return (
                f"lifecycle data of {day} not newer than what is loaded, nothing changed "
                f"({_names(self.not_newer)})"
            )
        text = f"lifecycle data of {day} loaded, {self.versions_updated} versions updated"
        if self.not_newer:
            text += f" (newer data already loaded, unchanged: {_names(self.not_newer)})"
        if self.skipped_skills:
            text += f" (not in the catalog, skipped: {_names(self.skipped_skills)})"
        for skill, cycles in self.left_out.items():
            text += f" ({skill}: release cycles that match no version, left out: {_names(cycles)})"
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
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value  # YAML reads an unquoted date as a date
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise LifecycleFileError(
            f"{where}: “{key}” must be a date written YYYY-MM-DD or null, not {value!r}."
        ) from None


def _end(value, where, key) -> tuple[datetime.date | None, bool]:
    """(end of support, ended on an unknown day) from a date, null/false (supported, no end
    known) or true (ended, the day unknown)."""
    if value is True:
        return None, True
    if value is False:
        return None, False
    try:
        return _day(value, where, key), False
    except LifecycleFileError:
        raise LifecycleFileError(
            f"{where}: “{key}” must be a date written YYYY-MM-DD, true (ended, date unknown) "
            f"or false (supported), not {value!r}."
        ) from None


def _check_labels(skill, versions):
    labels = [version.label.lower() for version in versions]
    for version in versions:
        if labels.count(version.label.lower()) > 1:
            raise LifecycleFileError(f"{skill} {version.label} is listed twice.")
        if version.successor and version.successor.lower() == version.label.lower():
            raise LifecycleFileError(f"{skill} {version.label} cannot succeed itself.")


def _check_products(products):
    names = [product.skill.lower() for product in products]
    for product in products:
        if names.count(product.skill.lower()) > 1:
            raise LifecycleFileError(f"{product.skill} is listed twice.")


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
        end_of_support, end_unknown = _end(
            _required(row, "end_of_support", version_where), version_where, "end_of_support"
        )
        successor = row.get("successor") or ""
        if not isinstance(successor, str):
            raise LifecycleFileError(f"{version_where}: “successor” must be a version label.")
        versions.append(
            VersionLifecycle(label, end_of_support, successor.strip(), end_unknown=end_unknown)
        )
    _check_labels(skill, versions)
    source = entry.get("source") or ""
    source_length = LifecycleSnapshot._meta.get_field("source").max_length
    if not isinstance(source, str) or len(source) > source_length:
        raise LifecycleFileError(
            f"{where}: “source” must be a text of at most {source_length} characters."
        )
    return ProductLifecycle(skill, tuple(versions), source=source.strip())


def _own_format(data, where) -> Snapshot:
    source = _text(
        data, "source", where, max_length=LifecycleSnapshot._meta.get_field("source").max_length
    )
    taken_on = _day(_required(data, "taken_on", where), where, "taken_on")
    if taken_on is None:
        raise LifecycleFileError(f"{where}: “taken_on” must be a date written YYYY-MM-DD.")
    products = _required(data, "products", where)
    if not isinstance(products, list) or not products:
        raise LifecycleFileError(f"{where}: “products” must be a non-empty list.")
    read = tuple(_product(entry, position) for position, entry in enumerate(products, start=1))
    _check_products(read)
    return Snapshot(source, taken_on, read)


@dataclass(frozen=True)
class ProductMapping:
    """How one endoflife.date product reads in our catalog: our product's name and, per release
    cycle (lower case), our version label."""

    skill: str
    labels: dict[str, str]


def endoflife_mapping(path: Path | str = ENDOFLIFE_MAPPING) -> dict[str, ProductMapping]:
    """{endoflife.date product name (lower case): its ProductMapping}, from the data file."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    mapping = {}
    for entry in data["products"]:
        mapping[entry["endoflife"].lower()] = ProductMapping(
            entry["skill"],
            {cycle.lower(): label for label, cycle in entry.get("versions", {}).items()},
        )
    return mapping


def _mapped(name: str, title: str, mapping: dict[str, ProductMapping]) -> ProductMapping:
    """The mapping of an endoflife.date product named `name` (its title `title`): the data
    file's, else our product of that title or name, its cycles read as our labels."""
    found = mapping.get(name.lower())
    if found is None:
        found = next(
            (entry for entry in mapping.values() if entry.skill.lower() == title.lower()), None
        )
    return found or ProductMapping(title or name, {})


def _cycles(product, releases, where, *, cycle_key, read_end) -> ProductLifecycle:
    """Our ProductLifecycle from endoflife.date's releases of one product: each `cycle_key`
    through the mapping to our label, its end of support by `read_end(release, where)`."""
    if not isinstance(releases, list) or not releases:
        raise LifecycleFileError(f"{where}: “releases” must be a non-empty list.")
    label_length = SkillVersion._meta.get_field("label").max_length
    versions = []
    for position, release in enumerate(releases, start=1):
        release_where = f"{where}, release {position}"
        if not isinstance(release, dict):
            raise LifecycleFileError(f"{release_where}: must be a mapping of fields.")
        cycle = _required(release, cycle_key, release_where)
        if isinstance(cycle, int) and not isinstance(cycle, bool):
            cycle = str(cycle)
        if not isinstance(cycle, str) or not cycle.strip():
            raise LifecycleFileError(
                f"{release_where}: “{cycle_key}” must be a text (in YAML, quote a number such "
                f'as "10.10"), not {cycle!r}.'
            )
        cycle = cycle.strip()
        release_where = f"{where}, release {position} (“{cycle}”)"
        label = product.labels.get(cycle.lower())
        end_of_support, end_unknown = read_end(release, release_where)
        versions.append(
            VersionLifecycle(
                label or cycle,
                end_of_support,
                successor=None,
                end_unknown=end_unknown,
                may_add=label is not None,
            )
        )
        if len(versions[-1].label) > label_length:
            raise LifecycleFileError(
                f"{release_where}: “{cycle_key}” is longer than {label_length} characters."
            )
    _check_labels(product.skill, versions)
    return ProductLifecycle(product.skill, tuple(versions))


def _api_v1_end(release, where):
    is_eol = _required(release, "isEol", where)
    if not isinstance(is_eol, bool):
        raise LifecycleFileError(f"{where}: “isEol” must be true or false, not {is_eol!r}.")
    end_of_support = _day(_required(release, "eolFrom", where), where, "eolFrom")
    if end_of_support is None:
        return None, is_eol  # ended without a date, or supported with no end known
    return end_of_support, False


def _api_v1(data, where, *, mapping, taken_on) -> Snapshot:
    if taken_on is not None:
        raise LifecycleFileError(
            f"{where}: endoflife.date's API gives the day of its data (“generated_at”); "
            "--taken-on is only for a product file."
        )
    generated = data.get("generated_at") or data.get("last_modified")
    if generated is None:
        raise LifecycleFileError(f"{where}: “generated_at” is missing.")
    try:
        taken_on = datetime.datetime.fromisoformat(generated).date()
    except (TypeError, ValueError):
        raise LifecycleFileError(
            f"{where}: “generated_at” must be a date and time (ISO 8601), not {generated!r}."
        ) from None
    result = _required(data, "result", where)
    entries = result if isinstance(result, list) else [result]
    products, names = [], []
    for position, entry in enumerate(entries, start=1):
        entry_where = f"{where}, product {position}" if isinstance(result, list) else where
        name = _text(entry, "name", entry_where, max_length=100)
        names.append(name)
        product = _mapped(name, str(entry.get("label") or ""), mapping)
        products.append(
            _cycles(
                product,
                _required(entry, "releases", f"{where}, product “{name}”"),
                f"{where}, product “{name}”",
                cycle_key="name",
                read_end=_api_v1_end,
            )
        )
    _check_products(products)
    source = f"endoflife.date API v1 ({_names(names)})"  # its day is the snapshot's taken_on
    return Snapshot(source, taken_on, tuple(products))


def _front_matter_end(release, where):
    return _end(_required(release, "eol", where), where, "eol")


def _front_matter(text, where, *, mapping, taken_on, product_name) -> Snapshot:
    lines = text.splitlines()
    try:
        closing = lines.index("---", 1)
    except ValueError:
        raise LifecycleFileError(f"{where}: the front matter has no closing “---” line.") from None
    try:
        data = yaml.safe_load("\n".join(lines[1:closing]))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        at = f" (line {mark.line + 2})" if mark is not None else ""
        problem = getattr(error, "problem", None) or "cannot be read"
        raise LifecycleFileError(
            f"{where}: the front matter is not valid YAML{at}: {problem}."
        ) from None
    if not isinstance(data, dict):
        raise LifecycleFileError(f"{where}: the front matter must be a mapping of fields.")
    if taken_on is None:
        raise LifecycleFileError(
            f"{where}: a product file does not say the day of its data; give it with "
            "--taken-on YYYY-MM-DD."
        )
    title = str(data.get("title") or "").strip()
    name = (product_name or str(data.get("permalink") or "").strip("/ ") or title).strip()
    if not name:
        raise LifecycleFileError(
            f"{where}: the product is named neither by “permalink” nor by “title”; give it "
            "with --product."
        )
    if len(name) > 100:
        raise LifecycleFileError(f"{where}: the product's name is longer than 100 characters.")
    product = _mapped(name, product_name or title, mapping)
    releases = _required(data, "releases", where)
    read = _cycles(
        product,
        releases,
        f"{where}, product “{name}”",
        cycle_key="releaseCycle",
        read_end=_front_matter_end,
    )
    source = f"endoflife.date product file “{name}”"  # its day is the snapshot's taken_on
    return Snapshot(source, taken_on, (read,))


def lifecycle_snapshot_read(
    path: Path | str = SHIPPED_SNAPSHOT,
    *,
    taken_on: datetime.date | None = None,
    product: str = "",
    mapping: dict[str, ProductMapping] | None = None,
) -> Snapshot:
    """Read and check a lifecycle file in any of the three formats (see the module);
    LifecycleFileError names what is wrong and where. `taken_on` dates a product file (the
    other formats carry their day); `product` names its product when the file does not."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise LifecycleFileError(f"{path.name} cannot be read: {error.strerror}.") from None
    except UnicodeDecodeError:
        raise LifecycleFileError(f"{path.name} is not UTF-8 text.") from None
    return lifecycle_text_read(
        text, name=path.name, taken_on=taken_on, product=product, mapping=mapping
    )


def lifecycle_text_read(
    text: str,
    *,
    name: str,
    taken_on: datetime.date | None = None,
    product: str = "",
    mapping: dict[str, ProductMapping] | None = None,
) -> Snapshot:
    """lifecycle_snapshot_read for text already fetched; `name` says where it came from."""
    mapping = endoflife_mapping() if mapping is None else mapping
    if text.lstrip("\ufeff").startswith("---"):
        return _front_matter(
            text.lstrip("\ufeff"), name, mapping=mapping, taken_on=taken_on, product_name=product
        )
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise LifecycleFileError(f"{name} is not valid JSON: {error}.") from None
    if isinstance(data, dict) and "result" in data:
        return _api_v1(data, name, mapping=mapping, taken_on=taken_on)
    if taken_on is not None:
        raise LifecycleFileError(
            f"{name}: this file gives the day of its data (“taken_on”); --taken-on is only "
            "for a product file."
        )
    return _own_format(data, name)


# ------------------------------------------------------------------------------ loading


def _product_load(skill, product, load) -> int:
    """Write one product's dates and successors; returns how many versions changed. A successor
    may be a version the file lists or one the catalog already has. A release cycle that maps
    to no version is left out: it never becomes a second version of the same release."""
    versions = {version.label.lower(): version for version in skill.versions.all()}
    rank = max((version.rank for version in versions.values()), default=0)
    added = set()
    entries = []
    for entry in product.versions:
        if entry.label.lower() not in versions:
            if not entry.may_add:
                load.left_out.setdefault(skill.name, []).append(entry.label)
                continue
            rank += RANK_STEP
            version = SkillVersion.objects.create(skill=skill, label=entry.label, rank=rank)
            versions[entry.label.lower()] = version
            added.add(version.pk)
        entries.append(entry)
    changed = 0
    for entry in entries:
        version = versions[entry.label.lower()]
        if entry.successor is None:
            successor = version.successor
        else:
            successor = versions.get(entry.successor.lower()) if entry.successor else None
            if entry.successor and successor is None:
                raise LifecycleFileError(
                    f"{skill.name} {entry.label}: the successor “{entry.successor}” is neither "
                    f"listed for {skill.name} nor one of its versions in the catalog."
                )
        if (
            version.pk in added
            or version.end_of_support != entry.end_of_support
            or version.end_of_support_unknown != entry.end_unknown
            or version.successor_id != (successor.pk if successor else None)
        ):
            version.end_of_support = entry.end_of_support
            version.end_of_support_unknown = entry.end_unknown
            version.successor = successor
            version.save(update_fields=["end_of_support", "end_of_support_unknown", "successor"])
            changed += 1
    return changed


@transaction.atomic
def lifecycle_snapshot_load(snapshot: Snapshot) -> LifecycleLoad:
    """Write a snapshot into the versions of each product it is newer for (module docstring),
    and record it with the products it wrote: one record per source line, the snapshot's and
    each a product names of its own. Nothing is recorded when every product of the catalog it
    lists was loaded from data as new or newer already."""
    load = LifecycleLoad(snapshot)
    last_loaded = lifecycle_taken_on_by_skill()
    by_source = {}
    for product in snapshot.products:
        # Locked: a second load at the same time waits, then finds this one's data.
        skill = Skill.objects.select_for_update().filter(name__iexact=product.skill).first()
        if skill is None:
            load.skipped_skills.append(product.skill)
        elif skill.pk in last_loaded and last_loaded[skill.pk] >= snapshot.taken_on:
            load.not_newer.append(skill.name)
        else:
            by_source.setdefault(product.source or snapshot.source, []).append((skill, product))
    if load.not_newer and not by_source:
        return load
    # The snapshot's own source line last: the newest record, the one the catalog page names.
    groups = sorted(by_source.items(), key=lambda group: group[0] == snapshot.source)
    for source, newer in groups or [(snapshot.source, [])]:
        changed = sum(_product_load(skill, product, load) for skill, product in newer)
        record = LifecycleSnapshot.objects.create(
            source=source, taken_on=snapshot.taken_on, versions_updated=changed
        )
        record.skills.set(skill for skill, _ in newer)
        load.records.append(record)
        load.products_loaded += len(newer)
    return load


# ------------------------------------------------------------------------------ scheduled refresh


def _without_credentials(url: str) -> str:
    """The address as it may be recorded: no user name or password, at most 500 characters."""
    parts = httpx.URL(url)
    return str(parts.copy_with(username=None, password=None))[:500]


def _fetch(url: str) -> str:
    """The text at `url`, read with httpx within LIFECYCLE_FETCH_TIMEOUT_SECONDS and at most
    LIFECYCLE_FETCH_MAX_BYTES; LifecycleFileError says in plain words why not."""
    limit = settings.LIFECYCLE_FETCH_MAX_BYTES
    timeout = settings.LIFECYCLE_FETCH_TIMEOUT_SECONDS
    try:
        with (
            httpx.Client(
                timeout=timeout, follow_redirects=True, headers={"Accept": "application/json"}
            ) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code != httpx.codes.OK:
                raise LifecycleFileError(
                    f"the server answered {response.status_code} {response.reason_phrase}."
                )
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > limit:
                    raise LifecycleFileError(f"the answer is larger than {limit} bytes.")
    except httpx.TimeoutException:
        raise LifecycleFileError(f"no answer within {timeout} seconds.") from None
    except httpx.HTTPError as error:
        raise LifecycleFileError(f"the address cannot be reached ({error}).") from None
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise LifecycleFileError("the answer is not UTF-8 text.") from None


def lifecycle_refresh_one(*, url: str) -> LifecycleRefresh:
    """Fetch `url`, load it as `load_catalog --lifecycle` loads a file, and record the load:
    loaded, unchanged (not newer for any product) or failed with its reason (nothing
    changed). Safe to run twice: the second run finds nothing newer."""
    source = _without_credentials(url)
    try:
        snapshot = lifecycle_text_read(_fetch(url), name=source)
        load = lifecycle_snapshot_load(snapshot)
    except LifecycleFileError as error:
        return LifecycleRefresh.objects.create(
            source=source, result=LifecycleRefresh.Result.FAILED, message=str(error)[:2000]
        )
    loaded = bool(load.records)
    return LifecycleRefresh.objects.create(
        source=source,
        taken_on=snapshot.taken_on,
        result=LifecycleRefresh.Result.LOADED if loaded else LifecycleRefresh.Result.UNCHANGED,
        products_loaded=load.products_loaded,
        products_unchanged=len(load.not_newer),
        versions_updated=load.versions_updated,
        snapshot=load.record,
        message=str(load)[:2000],
    )


def lifecycle_refresh_run() -> list[LifecycleRefresh]:
    """The scheduled refresh: each address of LIFECYCLE_URL fetched, loaded and recorded in
    turn; nothing at all when the setting is unset."""
    return [lifecycle_refresh_one(url=url) for url in settings.LIFECYCLE_URL]
