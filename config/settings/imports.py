"""Imports of CSV and XLSX files: their limits and how their dates are read."""

from config.settings.env import env

IMPORT_MAX_BYTES = env.int("IMPORT_MAX_MEGABYTES", default=10) * 1024 * 1024
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=50_000)
# What an .xlsx may expand to, whatever it claims: a few hundred KB of zip can hold gigabytes of
# XML.
IMPORT_MAX_UNCOMPRESSED_BYTES = (
    env.int("IMPORT_MAX_UNCOMPRESSED_MEGABYTES", default=50, minimum=1) * 1024 * 1024
)
# Python's csv module reads no field of 131,072 characters or more.
IMPORT_MAX_CELL_CHARACTERS = env.int(
    "IMPORT_MAX_CELL_CHARACTERS", default=10_000, minimum=1, below=131_072
)
# Files with more rows are previewed and imported by the worker, with a progress bar.
IMPORT_BACKGROUND_ROWS = env.int("IMPORT_BACKGROUND_ROWS", default=1_000)
# How "03/04/2026" is read until the user says otherwise: "mdy" (month first) or "dmy".
IMPORT_DATE_ORDER = env.choice("IMPORT_DATE_ORDER", ("mdy", "dmy"), default="mdy")
