"""The layers of DESIGN "Apps and what each owns", checked by import-linter (pyproject.toml)."""

import subprocess
import sys
from pathlib import Path

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
