"""Downloads: CSV streamed row by row and XLSX, with every text cell safe to open in a
spreadsheet."""

import csv
import io
from collections.abc import Iterable

from django.http import HttpResponse, StreamingHttpResponse

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
        # Only text can be a formula: numbers and None (an empty cell, the commonest in a wide
        # matrix, told apart first and most cheaply) skip the call.
        return [
            cell if cell is None or not isinstance(cell, str) else spreadsheet_safe(cell)
            for cell in row
        ]

    def lines():
        yield BOM + writer.writerow(safe(header))
        for row in rows:
            yield writer.writerow(safe(row))

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# An XLSX file is built whole before it is sent: bounded like the files an import accepts.
XLSX_MAX_ROWS = 50_000


def xlsx_bytes(header: list, rows: Iterable[list], *, sheet: str = "Export") -> bytes:
    """A one-sheet workbook of `header` and `rows` (at most XLSX_MAX_ROWS), text cells made safe
    as in CSV; written row by row (openpyxl's write-only mode).

    Text saved before control characters were refused may still hold some that an XLSX cell
    cannot (openpyxl would raise): they are left out of the cell, before the formula check,
    which then sees the text as a spreadsheet will."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    def cells(values: list) -> list:
        return [
            spreadsheet_safe(ILLEGAL_CHARACTERS_RE.sub("", value))
            if isinstance(value, str)
            else value
            for value in values
        ]

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet[:31])
    worksheet.append(cells(header))
    for count, row in enumerate(rows):
        if count >= XLSX_MAX_ROWS:
            break
        worksheet.append(cells(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(filename: str, header: list, rows: Iterable[list]) -> HttpResponse:
    response = HttpResponse(xlsx_bytes(header, rows), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


EXPORT_FORMATS = ("csv", "xlsx")


def resource_download(resource, rows: Iterable, *, name: str, file_format: str):
    """`rows` (model instances) in the columns of `resource` (a django-import-export Resource),
    as `name`.csv (streamed) or `name`.xlsx."""
    header = resource.get_export_headers()
    lines = (resource.export_resource(row) for row in rows)
    if file_format == "xlsx":
        return xlsx_response(f"{name}.xlsx", header, lines)
    return csv_response(f"{name}.csv", header, lines)
