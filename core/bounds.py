"""The largest numbers the database holds, and the checks that keep a number taken from a request
(a path, a query string, a form) within them.

A number beyond its column never reaches a query: PostgreSQL refuses it with an error and SQLite
with an OverflowError, either of which would be a 500. An id out of range is "no such row" (a
404 in a path, ignored where it only prefills a form); a filter or a form field out of range is
refused with a message (400).
"""

# Every table's id is a BigAutoField (DEFAULT_AUTO_FIELD): PostgreSQL's bigint, SQLite's integer.
ID_MAX = 2**63 - 1
ID_DIGITS = len(str(ID_MAX))

# How an id is described in the API's schema (drf-spectacular): its path parameters
# (PATH_CONVERTER_OVERRIDES, config/settings/api.py) and its id filters (core/filters.py).
ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": ID_MAX}


def id_or_none(value) -> int | None:
    """`value` (a str from a query string or a form, or an int) as a row id when it can be one:
    ASCII digits (not "²" or "١", which str.isdigit() accepts but int() reads differently or
    refuses) making a number from 1 to ID_MAX. None otherwise."""
    text = str(value) if value is not None else ""
    if not (text.isascii() and text.isdigit()) or len(text.lstrip("0")) > ID_DIGITS:
        return None
    number = int(text)
    return number if 1 <= number <= ID_MAX else None


class IdConverter:
    """The `<id:pk>` of a URL: a row id the database can hold. A longer number matches no URL,
    so the site answers 404 before any view or query sees it."""

    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        number = id_or_none(value)
        if number is None:
            raise ValueError(value)
        return number

    def to_url(self, value) -> str:
        return str(value)
