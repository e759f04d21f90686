"""Downloads: CSV streamed row by row, with every text cell safe to open in a spreadsheet."""

import csv
from collections.abc import Iterable

from django.http import StreamingHttpResponse

# A cell starting with one of these, after any spaces, tabs or line breaks, is read as a
# formula by spreadsheets.
FORMULA_STARTS = ("=", "+", "-", "@")
BOM = "\ufeff"  # so that Excel reads the file as UTF-8 ("Tomás", not "TomÃ¡s")


def spreadsheet_safe(value):
    """`value`, with a text that a spreadsheet would run as a formula prefixed with "'".

    Numbers pass as they are; imports strip exactly that one prefix.
    """
    if not isinstance(value, str):
        return value
    stripped = value.lstrip(" \t\r\n")
    if value[:1] in ("\t", "\r", "\n") or stripped.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


class _Line:
    """A file-like object that hands back what csv.writer writes, one line at a time."""

    def write(self, text):
        return text


def csv_response(filename: str, header: list, rows: Iterable[list]) -> StreamingHttpResponse:
    """A CSV download streamed as `rows` are produced: memory stays flat however many."""
    writer = csv.writer(_Line())

    def safe(row):
        # Only text can be a formula: numbers and None (an empty cell) skip the call.
        return [spreadsheet_safe(cell) if isinstance(cell, str) else cell for cell in row]

    def lines():
        yield BOM + writer.writerow(safe(header))
        for row in rows:
            yield writer.writerow(safe(row))

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
