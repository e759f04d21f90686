"""Hostile files built by hand, small on disk and huge when read: workbooks written as zip and
XML strings (with the parts openpyxl needs and nothing else), and CSV bytes."""

import io
import random
import string
import struct
import zipfile
from collections.abc import Iterable, Iterator
from xml.sax.saxutils import escape

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SPREADSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml"
DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def _content_types(with_strings: bool) -> str:
    strings = (
        '<Override PartName="/xl/sharedStrings.xml" '
        f'ContentType="{SPREADSHEET}.sharedStrings+xml"/>'
        if with_strings
        else ""
    )
    return (
        f"{DECLARATION}"
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{SPREADSHEET}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" '
        f'ContentType="{SPREADSHEET}.worksheet+xml"/>'
        f"{strings}</Types>"
    )


ROOT_RELS = (
    f"{DECLARATION}"
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    f'{DECLARATION}<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)


def _workbook_rels(with_strings: bool) -> str:
    strings = (
        f'<Relationship Id="rId2" Type="{RELATIONSHIPS}/sharedStrings" Target="sharedStrings.xml"/>'
        if with_strings
        else ""
    )
    return (
        f"{DECLARATION}"
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/worksheet" '
        f'Target="worksheets/sheet1.xml"/>{strings}</Relationships>'
    )


Content = str | Iterable[str]


def workbook(sheet: Content, *, shared_strings: Content | None = None, parts=None) -> bytes:
    """An .xlsx of one sheet; each part is a string or an iterable of strings, written as it
    comes so that a part of a gigabyte never sits in memory whole."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _content_types(shared_strings is not None))
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(shared_strings is not None))
        _write(archive, "xl/worksheets/sheet1.xml", sheet)
        if shared_strings is not None:
            _write(archive, "xl/sharedStrings.xml", shared_strings)
        for name, content in (parts or {}).items():
            _write(archive, name, content)
    return buffer.getvalue()


def _write(archive: zipfile.ZipFile, name: str, content: Content) -> None:
    with archive.open(name, "w", force_zip64=True) as part:
        for chunk in [content] if isinstance(content, str) else content:
            part.write(chunk.encode())


def sheet(rows: Iterable[str], *, doctype: str = "") -> Iterator[str]:
    yield f'{DECLARATION}{doctype}<worksheet xmlns="{MAIN}"><sheetData>'
    yield from _batched(rows)
    yield "</sheetData></worksheet>"


def shared_strings(texts: Iterable[str], *, doctype: str = "") -> Iterator[str]:
    yield f'{DECLARATION}{doctype}<sst xmlns="{MAIN}">'
    yield from _batched(f"<si><t>{text}</t></si>" for text in texts)
    yield "</sst>"


def _batched(pieces: Iterable[str], size: int = 20_000) -> Iterator[str]:
    batch = []
    for piece in pieces:
        batch.append(piece)
        if len(batch) == size:
            yield "".join(batch)
            batch = []
    yield "".join(batch)


def row(number: int, *texts: str) -> str:
    """A row of inline texts, its cells numbered as Excel numbers them."""
    cells = "".join(
        f'<c r="{_column(index)}{number}" t="inlineStr"><is><t>{escape(text)}</t></is></c>'
        for index, text in enumerate(texts, start=1)
    )
    return f'<row r="{number}">{cells}</row>'


def _column(index: int) -> str:
    letters = ""
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def shared_string_row(number: int, *indexes: int) -> str:
    cells = "".join(
        f'<c r="{_column(column)}{number}" t="s"><v>{index}</v></c>'
        for column, index in enumerate(indexes, start=1)
    )
    return f'<row r="{number}">{cells}</row>'


def a_fine_workbook() -> bytes:
    """The same building blocks as the hostile ones, in a workbook that reads."""
    return workbook(
        sheet([shared_string_row(1, 0, 1), row(2, "Acme Dental", "12")]),
        shared_strings=shared_strings(["Name", "Seats"]),
    )


# ------------------------------------------------------------------------------ the corpus


def many_cells_past_the_unzipped_limit() -> bytes:
    # As the security probe's: about 100 KB on disk, more than 50 MB of XML.
    cells = '<c t="inlineStr"><is><t>x</t></is></c>' * 10
    return workbook(sheet(f"<row>{cells}</row>" for _ in range(150_000)))


def many_rows_within_the_unzipped_limit() -> bytes:
    return workbook(sheet(row(number, f"Client {number}") for number in range(1, 200_001)))


def one_huge_cell() -> bytes:
    # One cell of 100 MB of text, in about 100 KB.
    text = ("A" * 1024 * 1024 for _ in range(100))
    return workbook(
        sheet(["<row r='1'><c r='A1' t='inlineStr'><is><t>", *text, "</t></is></c></row>"])
    )


def many_shared_strings() -> bytes:
    # A million texts for two cells: openpyxl keeps every one before the first row is read.
    texts = (f"{number:x}" for number in range(1_000_000))
    return workbook(sheet([shared_string_row(1, 0, 1)]), shared_strings=shared_strings(texts))


def a_wide_header() -> bytes:
    cells = "".join(f'<c t="inlineStr"><is><t>Column {n}</t></is></c>' for n in range(100_000))
    return workbook(sheet([f'<row r="1">{cells}</row>', row(2, "Acme Dental")]))


def an_external_entity() -> bytes:
    doctype = '<!DOCTYPE sst [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
    return workbook(
        sheet([shared_string_row(1, 0), shared_string_row(2, 0)]),
        shared_strings=shared_strings(["&secret;"], doctype=doctype),
    )


def billion_laughs() -> bytes:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)
    ]
    return workbook(
        sheet([shared_string_row(1, 0), shared_string_row(2, 0)]),
        shared_strings=shared_strings(["&lol9;"], doctype=f"<!DOCTYPE sst [{''.join(entities)}]>"),
    )


def a_tag_of_a_million_attributes() -> bytes:
    attributes = (f' a{number:x}=""' for number in range(1_000_000))
    cell = ["<row r='1'><c r='A1' t='inlineStr'", *_batched(attributes), "/></row>"]
    return workbook(sheet(cell))


def a_row_numbered_in_the_billions() -> bytes:
    return workbook(sheet([row(1, "Name"), row(2_000_000_000, "Acme Dental")]))


def sizes_that_lie() -> bytes:
    """A sheet of 30 MB whose zip entry says it unzips to 1 KB: the checks that add up declared
    sizes must not be all there is."""
    data = bytearray(
        workbook(sheet(row(number, f"Client {number}") for number in range(1, 400_001)))
    )
    name = b"xl/worksheets/sheet1.xml"
    entry = data.find(b"PK\x01\x02")
    while data[entry + 46 : entry + 46 + len(name)] != name:
        entry = data.find(b"PK\x01\x02", entry + 4)
    # The central directory's "uncompressed size", which zipfile goes by.
    struct.pack_into("<I", data, entry + 24, 1024)
    return bytes(data)


def styles_to_build_whole() -> bytes:
    # openpyxl builds the tree of styles.xml whole, whatever the sheet.
    formats = (f'<numFmt numFmtId="{n}" formatCode="0.{n}"/>' for n in range(300_000))
    styles = [f'{DECLARATION}<styleSheet xmlns="{MAIN}"><numFmts>', *_batched(formats)]
    styles.append("</numFmts></styleSheet>")
    return workbook(sheet([row(1, "Name"), row(2, "Acme Dental")]), parts={"xl/styles.xml": styles})


def rows_in_a_part_read_whole() -> bytes:
    # A sheet's rows, streamed when they are a sheet's, are built whole in styles.xml.
    rows = sheet(row(number, "x") for number in range(1, 60_001))
    return workbook(sheet([row(1, "Name"), row(2, "Acme Dental")]), parts={"xl/styles.xml": rows})


def a_long_cell_in_a_workbook() -> bytes:
    # Letters at random, so that the part does not compress more than a sheet of text does.
    generator = random.Random(26)
    text = "".join(generator.choices(string.ascii_letters, k=200_000))
    return workbook(sheet([row(1, "Name", "Notes"), row(2, "Acme Dental", text)]))


def csv_with_a_nul_past_8_kb() -> bytes:
    lines = ["Name,Notes"] + [f"Client {n},fine" for n in range(1000)] + ["Acme Dental,a\x00b"]
    data = "\r\n".join(lines).encode()
    assert data.index(b"\x00") > 8192
    return data


def binary_garbage() -> bytes:
    # Neither UTF-8 nor text in any encoding, and without a NUL byte.
    generator = random.Random(26)
    return bytes(generator.randrange(1, 256) for _ in range(200_000))


def csv_with_a_200_000_character_cell() -> bytes:
    return f"Name,Notes\r\nAcme Dental,{'x' * 200_000}\r\n".encode()


def csv_with_control_characters() -> bytes:
    return b"Name,Notes\r\nAcme Dental,ring the bell\x07 twice\r\n"


def a_csv_line_of_a_million_cells() -> bytes:
    return ("Name,Notes\r\n" + "ab," * 3_000_000 + "\r\n").encode()


# label: (file name, how to build it, what the refusal says)
HOSTILE = {
    "many cells past the unzipped limit": (
        "bomb.xlsx",
        many_cells_past_the_unzipped_limit,
        "when unzipped; at most 50 MB can be imported",
    ),
    "many rows within the unzipped limit": (
        "rows.xlsx",
        many_rows_within_the_unzipped_limit,
        "A sheet of this workbook has more than 50,000 rows",
    ),
    "one huge cell": ("cell.xlsx", one_huge_cell, "expands to 100.0 MB when unzipped"),
    "many shared strings": (
        "strings.xlsx",
        many_shared_strings,
        "more texts than its 2 cells could use",
    ),
    "a wide header": ("wide.xlsx", a_wide_header, "has more than 16,384 cells"),
    "an external entity": ("entity.xlsx", an_external_entity, "declares XML entities"),
    "billion laughs": ("laughs.xlsx", billion_laughs, "declares XML entities"),
    "a tag of a million attributes": (
        "tag.xlsx",
        a_tag_of_a_million_attributes,
        "holds a tag or a text of more than 1,024 KB of XML",
    ),
    "a row numbered in the billions": (
        "far.xlsx",
        a_row_numbered_in_the_billions,
        "numbers a row past 1,048,576",
    ),
    "sizes that lie": ("lies.xlsx", sizes_that_lie, "not an Excel workbook that can be read"),
    "styles to build whole": (
        "styles.xlsx",
        styles_to_build_whole,
        "200,000 XML elements or 10,000,000 characters besides its cells",
    ),
    "rows in a part read whole": (
        "hidden.xlsx",
        rows_in_a_part_read_whole,
        "200,000 XML elements or 10,000,000 characters besides its cells",
    ),
    "a 200,000-character cell in a workbook": (
        "long.xlsx",
        a_long_cell_in_a_workbook,
        "Cell B2 of a sheet holds more than 10,000 characters",
    ),
    "a NUL past 8 KB": ("nul.csv", csv_with_a_nul_past_8_kb, "it holds binary data, not text"),
    "binary garbage": ("garbage.csv", binary_garbage, "it holds binary data, not text"),
    "a 200,000-character cell": (
        "long.csv",
        csv_with_a_200_000_character_cell,
        "A cell of row 2 holds more than 10,000 characters",
    ),
    "control characters": (
        "bell.csv",
        csv_with_control_characters,
        "Row 2, column 2 (Notes) holds a control character (U+0007)",
    ),
    "a line of a million cells": (
        "commas.csv",
        a_csv_line_of_a_million_cells,
        "Row 2 is longer than 2,000,000 characters",
    ),
}
