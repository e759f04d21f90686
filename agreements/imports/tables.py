"""Reading an uploaded file: CSV (UTF-8 with or without BOM, or Windows-1252; comma, semicolon
or tab, detected) or XLSX, into a header and rows of text, within the limits of the settings.

Memory and time stay bounded whatever a file claims. A CSV is read a record at a time. An .xlsx
is a zip of XML parts that can expand a thousandfold, and openpyxl builds a whole tree of every
part it does not stream: so before openpyxl opens it, its zip entries are checked (how many, how
much they expand to and by how much), and every part is walked once with expat, keeping counts
only, which refuses the workbook at the first part that would make openpyxl build more than the
limits allow. openpyxl then streams the first sheet (its read-only mode). Reading stops at the
first row past a limit: too many rows or columns, too long a cell, a control character.

Not tablib's loaders (django-import-export's formats): they take one encoding and one delimiter,
refuse a row longer than the header, read the workbook's active sheet rather than its first one,
and read every row of a sheet before its length can be refused."""

import csv
import datetime
import io
import posixpath
import re
import zipfile
import zlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from xml.etree.ElementTree import ParseError
from xml.parsers import expat

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.conf import settings
from openpyxl import load_workbook
from openpyxl.xml.constants import (
    ARC_CONTENT_TYPES,
    ARC_CORE,
    ARC_CUSTOM,
    ARC_STYLE,
    ARC_WORKBOOK,
    CONTYPES_NS,
    PKG_REL_NS,
    SHARED_STRINGS,
    SHEET_MAIN_NS,
    WORKSHEET_TYPE,
)

from core.exports import BOM, FORMULA_STARTS

MAX_COLUMNS = 200
# Characters other than text: C0 controls but tab and line breaks, DEL, C1 controls.
CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

ENTITIES_REFUSED = "This workbook declares XML entities; save it again from Excel."
UNREADABLE_WORKBOOK = (
    "This file is not an Excel workbook that can be read: open it in Excel and save it again, "
    "or save it as CSV."
)
# The most Excel itself writes: more is a file built to be costly to read.
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384
MAX_ZIP_ENTRIES = 1_000
# As Apache POI's ZipSecureFile: an entry of more than 100 KB may not expand more than 100 times.
MAX_COMPRESSION_RATIO = 100
RATIO_CHECKED_FROM_BYTES = 100 * 1024
# openpyxl builds a whole tree of the parts it does not stream (styles, names, properties, a
# sheet's settings), and of one row or one shared string at a time.
MAX_ELEMENTS_READ_WHOLE = 200_000
MAX_CHARACTERS_READ_WHOLE = 10_000_000
MAX_ELEMENTS_PER_ROW = 50_000
# A tag with its attributes, or a text: the longest one Excel writes is a cell's text.
MAX_TOKEN_BYTES = 1024 * 1024
CENTRAL_DIRECTORY_ENTRY = b"PK\x01\x02"
READ_CHUNK_BYTES = 64 * 1024


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
    """The file's header and rows; FileRefused when it is too big, empty, of another type, or
    past a limit anywhere."""
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
        return _read_xlsx(data)
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise FileRefused("This file is named .xlsx but is not an Excel workbook.")
    return _read_csv(data)


# ------------------------------------------------------------------------------ rows


def _table(lines: Iterable[Sequence], file_format: str) -> Table:
    """The first line as the header and the lines that are not blank as rows, refused at the
    first line past a limit."""
    header = None
    rows = []
    for number, line in enumerate(lines, start=1):
        if not line and header is not None:
            continue  # quickly past the rows a sheet skips, which openpyxl fills in
        texts = [_cell_text(value) for value in line]
        while texts and not texts[-1]:
            texts.pop()
        _refuse_unfit_cells(texts, number, header)
        if header is None:
            header = [unprotected(text.strip()) for text in texts]
        elif any(text.strip() for text in texts):
            if len(rows) == settings.IMPORT_MAX_ROWS:
                raise FileRefused(
                    f"The file has more than {settings.IMPORT_MAX_ROWS:,} rows; at most "
                    f"{settings.IMPORT_MAX_ROWS:,} can be imported at once. Split it into "
                    "several files."
                )
            rows.append([unprotected(text) for text in texts])
    if not header or not any(header):
        raise FileRefused("The file's first row is empty: it should name the columns.")
    if not rows:
        raise FileRefused("The file has a header but no rows.")
    return Table(header, [_fit(row, len(header)) for row in rows], file_format)


def _fit(row: list[str], width: int) -> list[str]:
    return (row + [""] * width)[:width] if len(row) != width else row


def _refuse_unfit_cells(texts: list[str], number: int, header: list[str] | None) -> None:
    if len(texts) > MAX_COLUMNS:
        raise FileRefused(
            f"Row {number} has a value in column {len(texts):,}; at most {MAX_COLUMNS} columns "
            "can be imported. Leave out the columns Covered does not read."
        )
    for column, text in enumerate(texts, start=1):
        if len(text) > settings.IMPORT_MAX_CELL_CHARACTERS:
            raise FileRefused(_too_long(_where(number, column, header)))
        control = CONTROL_CHARACTER.search(text)
        if control:
            raise FileRefused(
                f"{_where(number, column, header)} holds a control character "
                f"(U+{ord(control.group()):04X}), which is not text: remove it and upload the "
                "file again."
            )


def _where(number: int, column: int, header: list[str] | None) -> str:
    name = header[column - 1] if header and column <= len(header) else ""
    named = f" ({name[:40]}{'…' if len(name) > 40 else ''})" if name else ""
    return f"Row {number}, column {column}{named}"


def _too_long(where: str) -> str:
    limit = settings.IMPORT_MAX_CELL_CHARACTERS
    return (
        f"{where} holds more than {limit:,} characters; a cell may hold at most {limit:,}. "
        "Shorten it, or leave the column out of the file."
    )


# ------------------------------------------------------------------------------ CSV


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(BOM.encode()):
        return data[len(BOM.encode()) :].decode("utf-8", errors="replace"), "UTF-8 with BOM"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        # Windows-1252 leaves five bytes undefined; Latin-1 reads them, as control characters,
        # which are then refused with their place in the file.
        try:
            return data.decode("cp1252"), "Windows-1252"
        except UnicodeDecodeError:
            return data.decode("latin-1"), "Windows-1252"


DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
# What csv.Sniffer looks at: its patterns take a time that grows with the square of the sample
# (seconds for 20,000 characters of quotes and commas).
SNIFFED_CHARACTERS = 5_000
# A physical line with its line break, as csv.reader takes lines: \r\n, \r or \n, and only those.
LINE = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+\Z")


def _delimiter(text: str) -> str:
    try:
        sample = text[:SNIFFED_CHARACTERS]
        return csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        # One column, or a sample the sniffer cannot settle: the header line decides.
        end = text.find("\n")
        first_line = text if end < 0 else text[:end]
        counts = {delimiter: first_line.count(delimiter) for delimiter in DELIMITERS}
        return max(counts, key=counts.get) if any(counts.values()) else ","


def _read_csv(data: bytes) -> Table:
    binary = FileRefused("This is not a CSV or XLSX file: it holds binary data, not text.")
    if b"\x00" in data:
        raise binary
    text, encoding = _decode(data)
    sample = text[:65536]
    # Text has a stray control character at most (refused below, where it is); a binary file
    # read as Windows-1252 has them everywhere.
    controls = len(CONTROL_CHARACTER.findall(sample))
    if controls > 10 and controls * 100 > len(sample):
        raise binary
    delimiter = _delimiter(text)
    return _table(_csv_records(text, delimiter), f"CSV ({encoding}, {DELIMITERS[delimiter]})")


def _csv_records(text: str, delimiter: str) -> Iterator[list[str]]:
    """The records of `text`, none longer than a row of MAX_COLUMNS full cells, so that a line
    of a million commas is refused before csv.reader makes a million cells of it."""
    longest = MAX_COLUMNS * settings.IMPORT_MAX_CELL_CHARACTERS
    number = 1
    record_length = 0

    def lines():
        nonlocal record_length
        for line in LINE.finditer(text):
            record_length += line.end() - line.start()
            if record_length > longest:
                raise FileRefused(
                    f"Row {number} is longer than {longest:,} characters, a row of "
                    f"{MAX_COLUMNS} full cells: is a quote left open?"
                )
            yield line.group()

    reader = csv.reader(lines(), delimiter=delimiter)
    try:
        for record in reader:
            yield record
            number += 1
            record_length = 0
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise FileRefused(_too_long(f"A cell of row {number}")) from None
        raise FileRefused(f"The file is not a readable CSV file ({error}).") from None


# ------------------------------------------------------------------------------ XLSX


def _read_xlsx(data: bytes) -> Table:
    _inspect_workbook(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except DefusedXmlException:
        raise FileRefused(ENTITIES_REFUSED) from None
    except Exception:
        # openpyxl raises a dozen kinds of error on a malformed workbook; each means the same.
        raise FileRefused(UNREADABLE_WORKBOOK) from None
    try:
        return _table(_first_sheet_rows(workbook), "XLSX")
    finally:
        workbook.close()


def _first_sheet_rows(workbook) -> Iterator[tuple]:
    try:
        sheet = workbook.worksheets[0]
        # The size a sheet states is a claim: without it, a row is as long as its last cell.
        sheet.reset_dimensions()
        yield from sheet.iter_rows(values_only=True)
    except DefusedXmlException:
        raise FileRefused(ENTITIES_REFUSED) from None
    except Exception:
        raise FileRefused(UNREADABLE_WORKBOOK) from None


def _inspect_workbook(data: bytes) -> None:
    """Refuse the workbook before openpyxl opens it when its zip or its XML is past a limit."""
    # zipfile makes an object of every entry of the central directory before it can be counted.
    if data.count(CENTRAL_DIRECTORY_ENTRY) > MAX_ZIP_ENTRIES:
        raise FileRefused(
            f"This workbook holds more than {MAX_ZIP_ENTRIES:,} files; one saved by Excel holds "
            "a few dozen. Save it again from Excel, or as CSV."
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise FileRefused(UNREADABLE_WORKBOOK) from None
    with archive:
        entries = [entry for entry in archive.infolist() if not entry.is_dir()]
        _refuse_expanding(entries)
        scan = _WorkbookScan()
        try:
            roles = scan.structure(archive, entries)
            # The sheets first, so that their cells are all counted when the texts are.
            for entry in sorted(entries, key=lambda entry: roles.get(entry.filename) == STRINGS):
                if entry.filename not in scan.structure_parts:
                    scan.part(archive, entry, roles.get(entry.filename, WHOLE))
        except (
            zipfile.BadZipFile,
            zlib.error,
            EOFError,
            OSError,
            RuntimeError,  # an encrypted entry
            NotImplementedError,  # a compression zipfile does not know
            ValueError,
        ):
            raise FileRefused(UNREADABLE_WORKBOOK) from None


def _refuse_expanding(entries: list[zipfile.ZipInfo]) -> None:
    # zipfile unzips an entry up to the size it declares, and no further (its CRC check fails
    # then), so declared sizes bound what is read.
    expanded = sum(entry.file_size for entry in entries)
    limit = settings.IMPORT_MAX_UNCOMPRESSED_BYTES
    if expanded > limit:
        raise FileRefused(
            f"This workbook expands to {expanded / 1024 / 1024:,.1f} MB when unzipped; at most "
            f"{limit / 1024 / 1024:,.0f} MB can be imported. Split it, or save it as CSV."
        )
    for entry in entries:
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size > RATIO_CHECKED_FROM_BYTES and ratio > MAX_COMPRESSION_RATIO:
            raise FileRefused(
                f"A part of this workbook expands {ratio:,.0f} times when unzipped; a "
                f"spreadsheet's parts expand at most {MAX_COMPRESSION_RATIO} times. Save it "
                "again from Excel, or as CSV."
            )


# What openpyxl does with a part: streams it row by row, streams its shared strings one at a
# time (keeping each), or builds its whole tree.
SHEET, STRINGS, WHOLE = "sheet", "strings", "whole"
# openpyxl reads these whole by their names, whatever the package says of them.
READ_WHOLE_BY_NAME = {ARC_CONTENT_TYPES, ARC_CORE, ARC_CUSTOM, ARC_STYLE, ARC_WORKBOOK}
ROW = f"{SHEET_MAIN_NS} row"
SHARED_STRING = f"{SHEET_MAIN_NS} si"


class _WorkbookScan:
    """Walks the XML parts of a workbook with expat and counts what openpyxl would build of
    each, without keeping any of it: FileRefused at the first count past a limit, and at any
    DOCTYPE (XML entities are declared in one, and Excel never writes one)."""

    def __init__(self):
        self.cells = 0
        self.shared_strings = 0
        self.elements_read_whole = self.characters_read_whole = 0
        self.structure_parts = set()

    def structure(self, archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo]) -> dict:
        """{part name: SHEET or STRINGS} of the parts openpyxl streams, as the package's content
        types and relationships name them (read the way openpyxl reads them). A part named
        in any other way too, or named by nothing, is read whole."""
        declared = defaultdict(set)
        for entry in entries:
            name = entry.filename
            if name != ARC_CONTENT_TYPES and not name.endswith(".rels"):
                continue
            self.structure_parts.add(name)
            self.part(archive, entry, WHOLE)
            try:
                root = fromstring(archive.read(entry))
            except ParseError:
                continue  # openpyxl cannot read it either, and says so
            if name == ARC_CONTENT_TYPES:
                for override in root.iter(f"{{{CONTYPES_NS}}}Override"):
                    part_name = override.get("PartName", "")
                    # openpyxl drops the first character, whichever it is.
                    for part in {part_name[1:], part_name.lstrip("/")}:
                        declared[part].add(_role_of_content_type(override.get("ContentType")))
                continue
            parent = posixpath.split(posixpath.dirname(name))[0]
            for relationship in root.iter(f"{{{PKG_REL_NS}}}Relationship"):
                target = relationship.get("Target", "")
                if relationship.get("TargetMode") == "External":
                    continue
                target = (
                    target[1:]
                    if target.startswith("/")
                    else posixpath.normpath(posixpath.join(parent, target))
                )
                declared[target].add(_role_of_relationship(relationship.get("Type", "")))
        return {
            name: next(iter(roles))
            for name, roles in declared.items()
            if roles in ({SHEET}, {STRINGS}) and name not in READ_WHOLE_BY_NAME
        }

    def part(self, archive: zipfile.ZipFile, entry: zipfile.ZipInfo, role: str) -> None:
        self.role = role
        self.depth = self.unit_depth = 0
        self.rows = self.unit_elements = self.unit_characters = 0
        self.cell = None
        self.characters = 0
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.buffer_text = True
        parser.buffer_size = READ_CHUNK_BYTES
        parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = self._declares_entities
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._text
        with archive.open(entry) as stream:
            chunk = stream.read(READ_CHUNK_BYTES)
            if chunk.startswith(UTF_16_STARTS):
                # Where a byte "<" may be half a character, tokens cannot be measured; Excel
                # writes UTF-8.
                raise FileRefused(UNREADABLE_WORKBOOK)
            since_markup = 0
            try:
                while chunk:
                    since_markup = _bytes_since_markup(chunk, since_markup)
                    parser.Parse(chunk, False)
                    chunk = stream.read(READ_CHUNK_BYTES)
                parser.Parse(b"", True)
            except expat.ExpatError:
                # Not XML (an image), or XML that breaks off: openpyxl's parser, expat as well,
                # stops at the same place, so what was counted is all it could build.
                return

    def _declares_entities(self, *args) -> None:
        raise FileRefused(ENTITIES_REFUSED)

    def _start(self, name: str, attributes: dict) -> None:
        self.depth += 1
        if self.unit_depth:
            self.unit_elements += 1
            if self.unit_elements > MAX_ELEMENTS_PER_ROW:
                raise FileRefused(
                    f"A row or a text of this workbook is made of more than "
                    f"{MAX_ELEMENTS_PER_ROW:,} XML elements; Excel writes far fewer. Save it "
                    "again from Excel, or as CSV."
                )
            if self.role == SHEET and self.depth == self.unit_depth + 1:
                self._cell(attributes)
        elif self.role == SHEET and name == ROW:
            self._row(attributes)
        elif self.role == STRINGS and name == SHARED_STRING:
            self.shared_strings += 1
            if self.shared_strings > self.cells:
                raise FileRefused(
                    f"This workbook holds more texts than its {self.cells:,} cells could use. "
                    "Save it again from Excel, or as CSV."
                )
            self._unit()
            self.cell = None
        else:
            self.elements_read_whole += 1
            self._read_whole(sum(map(len, attributes.values())))

    def _read_whole(self, characters: int) -> None:
        self.characters_read_whole += characters
        if (
            self.elements_read_whole > MAX_ELEMENTS_READ_WHOLE
            or self.characters_read_whole > MAX_CHARACTERS_READ_WHOLE
        ):
            raise FileRefused(
                f"This workbook holds more than {MAX_ELEMENTS_READ_WHOLE:,} XML elements or "
                f"{MAX_CHARACTERS_READ_WHOLE:,} characters besides its cells (styles, names, "
                "charts, pivot tables). Copy the sheet into a new workbook, or save it as CSV."
            )

    def _unit(self) -> None:
        self.unit_depth = self.depth
        self.unit_elements = self.unit_characters = self.characters = 0

    def _row(self, attributes: dict) -> None:
        self.rows += 1
        if self.rows > settings.IMPORT_MAX_ROWS + 1:
            raise FileRefused(
                f"A sheet of this workbook has more than {settings.IMPORT_MAX_ROWS:,} rows; at "
                f"most {settings.IMPORT_MAX_ROWS:,} can be imported at once. Split it into "
                "several files."
            )
        # openpyxl fills the rows a sheet skips: a row numbered in the billions is as many rows.
        try:
            number = float(attributes.get("r", 0))
        except ValueError:
            number = 0  # openpyxl refuses it
        if number > EXCEL_MAX_ROWS:
            raise FileRefused(
                f"This workbook numbers a row past {EXCEL_MAX_ROWS:,}, the last row of Excel. "
                "Save it again from Excel."
            )
        self._unit()
        self.cells_in_row = 0

    def _cell(self, attributes: dict) -> None:
        self.cells += 1
        self.cells_in_row += 1
        if self.cells_in_row > EXCEL_MAX_COLUMNS:
            raise FileRefused(
                f"A row of this workbook has more than {EXCEL_MAX_COLUMNS:,} cells, more than "
                f"Excel allows; at most {MAX_COLUMNS} columns can be imported."
            )
        self.cell = attributes.get("r")
        self.characters = 0

    def _end(self, name: str) -> None:
        if self.depth == self.unit_depth:
            self.unit_depth = 0
        self.depth -= 1

    def _text(self, text: str) -> None:
        if not self.unit_depth:
            self._read_whole(len(text))
            return
        self.characters += len(text)
        self.unit_characters += len(text)
        limit = settings.IMPORT_MAX_CELL_CHARACTERS
        if self.characters > limit:
            cell = CONTROL_CHARACTER.sub("", self.cell or "")[:12]
            where = f"Cell {cell} of a sheet" if cell else "A cell of this workbook"
            raise FileRefused(_too_long(where))
        if self.unit_characters > MAX_COLUMNS * limit:
            raise FileRefused(
                f"A row of this workbook holds more than {MAX_COLUMNS * limit:,} characters, "
                f"more than {MAX_COLUMNS} full cells. Split it, or leave out columns Covered "
                "does not read."
            )


UTF_16_STARTS = (b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<")


def _bytes_since_markup(chunk: bytes, before: int) -> int:
    """How many bytes follow the last "<" once `chunk` is read, `before` of them before it;
    FileRefused when a tag with its attributes, or a text, is longer than MAX_TOKEN_BYTES."""
    first, last = chunk.find(b"<"), chunk.rfind(b"<")
    since = before + len(chunk) if first < 0 else len(chunk) - last - 1
    # Between two "<" of one chunk, fewer bytes than a chunk holds.
    if max(since, before + first if first >= 0 else 0) > MAX_TOKEN_BYTES:
        raise FileRefused(
            f"This workbook holds a tag or a text of more than {MAX_TOKEN_BYTES // 1024:,} KB "
            "of XML; Excel writes none. Save it again from Excel, or as CSV."
        )
    return since


def _role_of_content_type(content_type: str | None) -> str:
    return {WORKSHEET_TYPE: SHEET, SHARED_STRINGS: STRINGS}.get(content_type, WHOLE)


def _role_of_relationship(relationship_type: str) -> str:
    # openpyxl streams any sheet of the workbook that is not a chartsheet; a relationship of
    # another kind may lead it to read the part whole.
    if relationship_type.endswith("/worksheet"):
        return SHEET
    if relationship_type.endswith("/sharedStrings"):
        return STRINGS
    return WHOLE
