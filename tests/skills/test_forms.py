import pytest

from skills.forms import TechnicianForm

pytestmark = pytest.mark.django_db


def test_technician_form_asks_for_the_last_working_day():
    field = TechnicianForm().fields["available_until"]

    assert (field.label, field.help_text) == (
        "Last working day",
        "The last day this technician still works, e.g. before a departure or a leave; from "
        "the day after, they no longer count for coverage. Blank when none is planned.",
    )
