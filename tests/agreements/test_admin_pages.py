"""Every page of every registered admin model opens for a superuser once the demo is loaded."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

pytestmark = pytest.mark.django_db

REGISTERED = [
    pytest.param(model, model_admin, id=model._meta.label)
    for model, model_admin in admin.site._registry.items()
]


@pytest.fixture
def demo_site(demo_portfolio, admin_user, client):
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


# Rows that only a user's action or a job creates: an import batch is an uploaded file; a
# reminder is written by the daily reminders job (and read-only in the admin); a test email of
# the report is sent by a user who asks for it; a webhook is a receiver an admin registers, and
# its deliveries are written as events happen; a client alias is remembered when an import's
# unknown client name is mapped to a client; a PSA or RMM connection is added by an admin with
# the vendor's credentials, and its syncs and vendor ids are written by its syncs; a skill
# proposal is a technician's, with their evidence file; a lifecycle refresh is written by the
# scheduled refresh when LIFECYCLE_URL is set.
MADE_BY_USE = {
    "skills.SkillProposal",
    "skills.LifecycleRefresh",
    "agreements.Connection",
    "agreements.SyncRun",
    "agreements.ExternalRef",
    "clients.ClientAlias",
    "agreements.ImportBatch",
    "agreements.Reminder",
    "agreements.ReminderOptOut",
    "agreements.ReportTestEmail",
    "agreements.Webhook",
    "agreements.WebhookDelivery",
}


def test_demo_fills_the_models_whose_change_pages_matter(demo_site):
    empty = [
        model._meta.label
        for model in admin.site._registry
        if model._meta.app_label in {"skills", "clients", "agreements"}
        and model._meta.label not in MADE_BY_USE
        and not model._default_manager.exists()
    ]

    assert empty == []
