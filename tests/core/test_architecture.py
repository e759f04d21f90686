"""The layers of DESIGN "Apps and what each owns", checked by import-linter (pyproject.toml)."""

import subprocess
import sys
from pathlib import Path

import grimp
from django.conf import settings


def test_every_import_linter_contract_is_kept():
    lint_imports = Path(sys.executable).with_name("lint-imports")

    result = subprocess.run(
        [str(lint_imports), "--no-cache"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_no_two_modules_import_each_other():
    graph = grimp.build_graph("config", "core", "skills", "clients", "agreements", "demo")

    circles = {
        tuple(sorted((module, imported)))
        for module in graph.modules
        for imported in graph.find_modules_directly_imported_by(module)
        if module in graph.find_modules_directly_imported_by(imported)
    }

    assert circles == set()
