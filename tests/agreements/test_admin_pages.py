"""Every page of every registered admin model opens for a superuser once the demo is loaded."""

from io import StringIO

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.db import transaction
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from agreements.coverage.runs import coverage_run_execute

pytestmark = pytest.mark.django_db

REGISTERED = [
    pytest.param(model, model_admin, id=model._meta.label)
    for model, model_admin in admin.site._registry.items()
]


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    """Demo data, the nightly schedule and one coverage run (with its flags), loaded once for
    the module inside a transaction that is rolled back at the end; each test runs in a
    savepoint within it."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            call_command("seed_demo", stdout=StringIO())
            call_command("setup_schedule", stdout=StringIO())
            coverage_run_execute(run_date=timezone.localdate())
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def demo_site(demo_data, admin_user, client):
    client.force_login(admin_user)
    return client


def admin_url(model, page, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=args)


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED)
def test_admin_pages_open_for_a_superuser(demo_site, admin_user, model, model_admin):
    changelist = admin_url(model, "changelist")
    assert demo_site.get(changelist).status_code == 200

    if model_admin.search_fields:
        assert demo_site.get(changelist, {"q": "a"}).status_code == 200

    request = RequestFactory().get(changelist)
    request.user = admin_user
    add_status = demo_site.get(admin_url(model, "add")).status_code
    assert add_status == (200 if model_admin.has_add_permission(request) else 403)

    first = model._default_manager.order_by("pk").first()
    if first is not None:
        assert demo_site.get(admin_url(model, "change", first.pk)).status_code == 200


def test_demo_fills_the_models_whose_change_pages_matter(demo_site):
    empty = [
        model._meta.label
        for model in admin.site._registry
        if model._meta.app_label in {"skills", "clients", "agreements"}
        and not model._default_manager.exists()
    ]

    assert empty == []
