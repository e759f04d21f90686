"""Reading an uploaded file: CSV (UTF-8 with or without BOM, or Windows-1252; comma, semicolon
or tab, detected) or XLSX, into a header and rows of text, within the limits of the settings.

Not tablib's loaders (django-import-export's formats): they take one encoding and one delimiter,
refuse a row longer than the header, read the workbook's active sheet rather than its first one,
and read every row of a sheet before its length can be refused."""

import csv
import datetime
import io
import zipfile
from dataclasses import dataclass

from django.conf import settings

from core.exports import BOM, FORMULA_STARTS


class FileRefused(Exception):
    """The file cannot be read as an import; the message says why, in plain words."""


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]  # data rows, as long as the header
    file_format: str  # "CSV (UTF-8, comma)" …


def unprotected(value: str) -> str:
    """A cell without the "'" an export put before a formula-looking text (core.exports), and
    only that one."""
    if value.startswith("'"):
        rest = value[1:]
        if rest[:1] in ("\t", "\r", "\n") or rest.lstrip(" \t\r\n").startswith(FORMULA_STARTS):
            return rest
    return value


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


SIGNATURES = [
    (b"%PDF", "a PDF document"),
    (b"\xd0\xcf\x11\xe0", "an old Excel (.xls) or Word file: save it as .xlsx or CSV"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
]


def read_table(data: bytes, *, filename: str) -> Table:
    """The file's header and rows; FileRefused when it is too big, empty, of another type or
    has too many rows."""
    limit = settings.IMPORT_MAX_BYTES
    if len(data) > limit:
        raise FileRefused(
            f"The file is {len(data) / 1024 / 1024:.1f} MB; files of at most "
            f"{limit // 1024 // 1024} MB can be imported. Split it, or leave out columns "
            "Covered does not read."
        )
    if not data.strip().strip(BOM.encode()):
        raise FileRefused("The file is empty.")
    for signature, what in SIGNATURES:
        if data.startswith(signature):
            raise FileRefused(f"This is not a CSV or XLSX file: it looks like {what}.")
    if data.startswith(b"PK\x03\x04"):
        table = _read_xlsx(data)
    elif filename.lower().endswith((".xlsx", ".xlsm")):
        raise FileRefused("This file is named .xlsx but is not an Excel workbook.")
    elif b"\x00" in data[:8192]:
        raise FileRefused("This is not a CSV or XLSX file: it holds binary data, not text.")
    else:
        table = _read_csv(data)
    # Blank lines (a spreadsheet's trailing empty rows) are not rows.
    table.rows = [row for row in table.rows if any(cell.strip() for cell in row)]
    if not any(cell.strip() for cell in table.header):
        raise FileRefused("The file's first row is empty: it should name the columns.")
    if not table.rows:
        raise FileRefused("The file has a header but no rows.")
    if len(table.rows) > settings.IMPORT_MAX_ROWS:
        raise FileRefused(
            f"The file has {len(table.rows):,} rows; at most {settings.IMPORT_MAX_ROWS:,} can "
            "be imported at once. Split it into several files."
        )
    return table


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(BOM.encode()):
        return data[len(BOM.encode()) :].decode("utf-8", errors="replace"), "UTF-8 with BOM"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        # Windows-1252 leaves five bytes undefined; Latin-1 reads them (as control characters).
        try:
            return data.decode("cp1252"), "Windows-1252"
        except UnicodeDecodeError:
            return data.decode("latin-1"), "Windows-1252"


DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}


def _delimiter(text: str) -> str:
    first_line = text.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(text[:20000], delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        # One column, or a sample the sniffer cannot settle: the header line decides.
        counts = {delimiter: first_line.count(delimiter) for delimiter in DELIMITERS}
        return max(counts, key=counts.get) if any(counts.values()) else ","


def _read_csv(data: bytes) -> Table:
    text, encoding = _decode(data)
    delimiter = _delimiter(text)
    try:
        lines = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise FileRefused(f"The file is not a readable CSV file ({error}).") from None
    header = [unprotected(cell.strip()) for cell in lines[0]] if lines else []
    rows = [_fit([unprotected(cell) for cell in line], len(header)) for line in lines[1:]]
    return Table(header, rows, f"CSV ({encoding}, {DELIMITERS[delimiter]})")


def _fit(row: list[str], width: int) -> list[str]:
    return (row + [""] * width)[:width] if len(row) != width else row


def _read_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise FileRefused(
            f"This file is not an Excel workbook that can be read ({error})."
        ) from None
    try:
        sheet = workbook.worksheets[0]
        lines = sheet.iter_rows(values_only=True)
        header_cells = next(lines, ())
        header = [unprotected(_cell_text(cell).strip()) for cell in header_cells]
        while header and not header[-1]:
            header.pop()
        rows = []
        for count, line in enumerate(lines):
            if count > settings.IMPORT_MAX_ROWS + 1:
                break
            rows.append(_fit([unprotected(_cell_text(cell)) for cell in line], len(header)))
    finally:
        workbook.close()
    return Table(header, rows, "XLSX")
