"""Numbers at their limits on the pages (DESIGN "Security and operations"), asked as a crawler
would, of every page found by walking the URL resolver: a row id past what a table holds is
404, a list's page number past the last is 404, and a number past the database in a filter bar
is refused with the bar's message (400). Never a 500."""

import pytest
from django import forms
from django.contrib.auth.models import Group
from django.test.utils import ContextList
from django.urls import reverse
from django_filters import FilterSet

from core import groups
from core.bounds import ID_MAX
from tests.app_pages import VIEWS, page_url, takes_other_arguments, takes_pk
from tests.html_forms import page_forms

pytestmark = pytest.mark.django_db

PAST_THE_DATABASE = [str(ID_MAX + 1), str(10**30), "-37428854648149008384"]
# Fields whose value is a number or a row's id.
NUMBER_FIELDS = (
    forms.IntegerField,
    forms.DecimalField,
    forms.FloatField,
    forms.ModelChoiceField,
    forms.ModelMultipleChoiceField,
)
# Pages that must be found with a number in their filter bar: the crawler sees the others too.
KNOWN_NUMBER_FILTERS = {
    ("agreements:list", "client"),
    ("agreements:list", "notice_within"),
    ("clients:list", "account_manager"),
    ("coverage:flag_list", "resolved_by_check"),
    ("coverage:matrix", "category"),
    ("skills:catalog", "category"),
}

PAGES = sorted(name for name in VIEWS if not takes_other_arguments(name))
ROW_PAGES = sorted(name for name in PAGES if takes_pk(name))
LIST_PAGES = sorted(name for name in PAGES if getattr(VIEWS[name], "paginate_by", None))


@pytest.fixture
def crawler(demo_portfolio, consultant, client):
    """A consultant who also approves skill proposals (as the demo's), to reach the approvals
    queue too."""
    consultant.groups.add(Group.objects.get(name=groups.SKILL_APPROVERS))
    client.force_login(consultant)
    return client


def filter_bar_numbers(response) -> dict[str, forms.BaseForm]:
    """{name: the form the view built} of each number in the page's filter bars (its GET
    forms, read in the HTML)."""
    names = {
        name
        for form in page_forms(response.content.decode())
        if form["attrs"].get("method", "get").lower() == "get"
        for name, _ in form["fields"]
    }
    context = response.context or ()
    contexts = context if isinstance(context, ContextList) else [context]
    found = {}
    for value in (value for each in contexts for value in each.flatten().values()):
        built = value.form if isinstance(value, FilterSet) else value
        if isinstance(built, forms.BaseForm):
            for name, field in built.fields.items():
                if name in names and isinstance(field, NUMBER_FIELDS):
                    found[name] = built
    return found


def refused_with_its_message(response, field_name: str) -> bool:
    """400, and the filter bar shows why the field was refused."""
    form = filter_bar_numbers(response).get(field_name)
    messages = form.errors.get(field_name, []) if form is not None else []
    return response.status_code == 400 and bool(messages) and messages[0] in response.text


@pytest.mark.parametrize("name", ROW_PAGES)
def test_a_row_id_past_the_database_in_the_path_is_not_found(crawler, name):
    for row_id in (ID_MAX + 1, 10**30):
        response = crawler.get(reverse(name, kwargs={"pk": row_id}))

        assert response.status_code == 404, (name, row_id)


@pytest.mark.parametrize("name", LIST_PAGES)
def test_a_list_page_number_past_the_database_is_not_found(crawler, name):
    response = crawler.get(page_url(name), {"page": str(10**30)})

    assert response.status_code == 404


def test_a_number_past_the_database_in_a_filter_bar_is_refused_with_a_message(crawler):
    found, wrongly_answered = set(), []
    for name in PAGES:
        url = page_url(name)
        response = crawler.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for field_name in filter_bar_numbers(response):
            found.add((name, field_name))
            for value in PAST_THE_DATABASE:
                refused = crawler.get(url, {field_name: value})
                if not refused_with_its_message(refused, field_name):
                    wrongly_answered.append((name, field_name, value, refused.status_code))

    assert found >= KNOWN_NUMBER_FILTERS
    assert wrongly_answered == []


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("skills:version_options", {"skill": "²"}),  # str.isdigit() says yes, int() refuses it
        ("planning:what_if", {"technician": "²"}),
        ("agreements:create", {"client": "²"}),
        ("agreements:create", {"client": str(10**30)}),
        ("planning:add_to_plan", {"requirement": "²"}),
        ("planning:add_to_plan", {"end_of_support": "²"}),
        ("planning:add_to_plan", {"technicians": "²", "skill": "²"}),
    ],
)
def test_a_row_hinted_in_the_query_by_what_is_no_row_id_is_left_out(crawler, name, query):
    response = crawler.get(reverse(name), query)

    assert response.status_code == 200
