"""bench_pages run for real at a tiny size: gunicorn with the production settings, locust."""

import io
import json
from numbers import Number

import pytest
from django.core.management import call_command

from tests.integration.conftest import needs_real_services

pytestmark = pytest.mark.integration

PAGES = {
    "dashboard",
    "agreement_list_active",
    "agreement_list_uncovered",
    "agreement_detail",
    "agreement_detail_24x7",
    "client_list",
    "client_detail",
    "technician_list",
    "technician_detail",
    "team_calendar",
    "rota_list",
    "rota_detail",
    "skills_matrix",
    "skills_matrix_csv",
    "gap_analysis",
    "plan",
    "what_if",
    "report_list",
    "report_detail",
    "flag_list",
    "client_autocomplete",
    "technician_autocomplete",
    "skill_autocomplete",
    "agreement_edit",
    "client_edit",
    "technician_edit",
}
TINY = [
    "--small-fraction=0.002",
    "--large-fraction=0.004",
    "--workers=1",
    "--repeat=1",
    "--users=2",
    "--load-seconds=3",
    "--settle-seconds=0",
    "--think-time",
    "0",
    "0.1",
]


def is_number(value):
    return isinstance(value, Number) and not isinstance(value, bool)


def test_bench_pages_times_every_page_at_both_sizes_and_under_load(transactional_db):
    # The gunicorn it starts reads what this test commits: hence transactional_db.
    needs_real_services()
    out = io.StringIO()

    # Fails with the pages that did not answer 200, gunicorn's log on stderr.
    call_command("bench_pages", *TINY, stdout=out)

    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    timed = {line["page"]: line for line in lines if "small" in line}
    loaded = {line["page"]: line["load"] for line in lines if "load" in line}
    assert timed.keys() == PAGES
    for line in timed.values():
        for size in (line["small"], line["large"]):
            assert size["status"] == 200, line
            assert all(is_number(size[key]) for key in ("median_ms", "bytes", "queries")), line
    assert timed["skills_matrix_csv"]["large"]["rows_per_second"] > 0
    assert loaded.keys() == PAGES
    assert all(is_number(figures["p95_ms"]) for figures in loaded.values()), loaded
    assert lines[-1]["failures"] == []
    assert set(lines[-1]["settle_seconds"]) == {"small", "large"}
