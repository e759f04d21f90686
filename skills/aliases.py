"""Product names as inventories spell them, read to a skill and a version.

The rule, in one place:

1. Names and patterns are compared normalised: case folded, ™ ® © and brackets dropped, runs of
   spaces made one.
2. A pattern matches a product name when the name contains it as whole words: "exchange server
   2016" matches "microsoft exchange server 2016 cu23" but "windows 1" does not match
   "windows 10". Punctuation counts as a word break, so "sonicos 7.0" matches "sonicos 7.0.1-5095".
3. The patterns are the skills' own names, their versions' ("exchange server 2016"), and the
   SkillAlias rows. A pattern without a version is also tried followed by each version label of
   its skill ("sonicos" → "sonicos 7.0", "sonicos v7.0"), and for a label such as "22.04 LTS" or
   "14 Sonoma" by its number or its name alone ("ubuntu 22.04", "macos sonoma").
4. The longest matching pattern wins; between patterns of the same length, the one that names a
   version, then the first in alphabetical order.
5. A match without a version takes a version label the name holds elsewhere as whole words
   ("quickbooks desktop pro 2022", see `version_in_name`), else the version from the file's
   version column when there is one (see `version_for`); a name nothing matches is unknown, to
   be mapped or ignored.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

DROPPED = str.maketrans(dict.fromkeys('™®©()[]{},;:"“”', " "))
WORD = r"[0-9a-z]"


def normalised(text: str) -> str:
    return " ".join(str(text).casefold().translate(DROPPED).split())


@dataclass(frozen=True)
class Match:
    skill_id: int
    version_id: int | None
    pattern: str


@dataclass(frozen=True)
class VersionLabel:
    pk: int
    label: str


def label_spellings(label: str, labels: Iterable[str]) -> list[str]:
    """How a version label may be written after a product name: "7.0", "v7.0"; for "22.04 LTS"
    also "22.04", for "14 Sonoma" also "14" and "sonoma" (when no other label is written so)."""
    label = normalised(label)
    spellings = [label, f"v{label}"]
    first, _, rest = label.partition(" ")
    if rest and first[:1].isdigit() and all(word.isalpha() for word in rest.split()):
        others = {normalised(other) for other in labels} - {label}
        spellings += [word for word in (first, rest) if word not in others and len(word) > 1]
    return spellings


class ProductMatcher:
    """Reads product names to (skill, version): see the module's rule. Built once per import
    from `skills.selectors.product_matcher()`; each distinct name is looked up once."""

    def __init__(self, *, skills, versions, aliases):
        """`skills`: (pk, name); `versions`: (pk, skill pk, label); `aliases`: (skill pk,
        pattern, version pk or None)."""
        labels: dict[int, list[VersionLabel]] = {}
        for pk, skill_id, label in versions:
            labels.setdefault(skill_id, []).append(VersionLabel(pk, label))
        self.labels = labels
        candidates: dict[str, Match] = {}

        def add(pattern, skill_id, version_id):
            pattern = normalised(pattern)
            if pattern:
                candidates.setdefault(pattern, Match(skill_id, version_id, pattern))

        named = [(skill_id, pattern, version_id) for skill_id, pattern, version_id in aliases]
        named += [(pk, name, None) for pk, name in skills]
        # Explicit versions first, so that a spelling generated in step 3 never hides one.
        for skill_id, pattern, version_id in sorted(named, key=lambda row: row[2] is None):
            if version_id is not None:
                add(pattern, skill_id, version_id)
                continue
            add(pattern, skill_id, None)
            all_labels = [version.label for version in labels.get(skill_id, ())]
            for version in labels.get(skill_id, ()):
                add(f"{pattern} {version.label}", skill_id, version.pk)
                for spelling in label_spellings(version.label, all_labels):
                    add(f"{pattern} {spelling}", skill_id, version.pk)
        # Longest first; the regex alternation tries them in that order at each position.
        self.candidates = sorted(
            candidates.values(),
            key=lambda match: (-len(match.pattern), match.version_id is None, match.pattern),
        )
        self.by_pattern = {match.pattern: match for match in self.candidates}
        self._regex = (
            re.compile(
                f"(?<!{WORD})("
                + "|".join(re.escape(match.pattern) for match in self.candidates)
                + f")(?!{WORD})"
            )
            if self.candidates
            else None
        )
        self._cache: dict[str, Match | None] = {}

    def match(self, name: str) -> Match | None:
        key = normalised(name)
        if key not in self._cache:
            self._cache[key] = self._best(key)
        return self._cache[key]

    def _best(self, name: str) -> Match | None:
        if not name or self._regex is None:
            return None
        found = []
        position = 0
        # Every start position: a longer pattern may begin later in the name than a shorter one.
        while position < len(name):
            hit = self._regex.search(name, position)
            if hit is None:
                break
            found.append(self.by_pattern[hit.group(1)])
            position = hit.start() + 1
        if not found:
            return None
        return min(
            found,
            key=lambda match: (-len(match.pattern), match.version_id is None, match.pattern),
        )

    def version_for(self, skill_id: int, value: str) -> int | None:
        """The version of `skill_id` a version cell names: its label ("2016"), or a longer
        spelling that starts with the label as whole words ("7.0.1-5095" → 7.0, "v7.2" → 7.2,
        "2019 CU12" → 2019); the longest such label wins. None when none fits."""
        value = normalised(value)
        if value.startswith("v") and value[1:2].isdigit():
            value = value[1:]
        best = None
        for version in self.labels.get(skill_id, ()):
            label = normalised(version.label)
            if value == label:
                return version.pk
            if re.match(re.escape(label) + f"(?!{WORD})", value) and (
                best is None or len(label) > len(best[1])
            ):
                best = (version.pk, label)
        return best[0] if best else None

    def version_in_name(self, skill_id: int, name: str) -> int | None:
        """The version of `skill_id` a product name names as whole words anywhere in it
        ("QuickBooks Desktop Pro 2022" → 2022), the longest label winning: a version in the
        name wins over the file's version column, which often holds a build number."""
        name = normalised(name)
        best = None
        for version in self.labels.get(skill_id, ()):
            label = normalised(version.label)
            if re.search(f"(?<!{WORD}){re.escape(label)}(?!{WORD})", name) and (
                best is None or len(label) > len(best[1])
            ):
                best = (version.pk, label)
        return best[0] if best else None

    def known_labels(self, skill_id: int) -> list[str]:
        return [version.label for version in self.labels.get(skill_id, ())]
