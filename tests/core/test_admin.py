"""Django admin reads in plain words and offers only what the app uses."""

import pytest
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from agreements.coverage.schedule import coverage_schedule_setup
from tests.agreements.factories import AgreementFactory
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def section_names(response) -> list[str]:
    return [app["name"] for app in response.context["app_list"]]


def test_admin_sections_are_named_for_what_they_hold(admin_client):
    sections = section_names(admin_client.get(reverse("admin:index")))

    assert {
        "Login attempts and lockouts",
        "Two-factor recovery codes",
        "Two-factor authenticator apps",
        "Scheduled jobs",
    } <= set(sections)
    assert not {"Axes", "Otp_Static", "Otp_Totp", "Periodic Tasks"} & set(sections)


def test_a_section_page_and_its_breadcrumbs_use_the_readable_name(admin_client):
    response = admin_client.get(reverse("admin:django_celery_beat_periodictask_changelist"))

    assert response.status_code == 200
    assert "Scheduled jobs" in response.content.decode()


def test_only_the_schedule_kinds_the_app_uses_are_offered(admin_client):
    coverage_schedule_setup()
    used = {
        kind
        for kind in ("crontab", "interval", "solar", "clocked")
        if PeriodicTask.objects.filter(**{f"{kind}__isnull": False}).exists()
    }
    offered = {
        model["object_name"]
        for app in admin_client.get(reverse("admin:index")).context["app_list"]
        if app["app_label"] == "django_celery_beat"
        for model in app["models"]
    }

    assert used == {"crontab", "interval"}
    assert offered == {"CrontabSchedule", "IntervalSchedule", "PeriodicTask"}


def test_a_scheduled_job_form_has_no_solar_or_clocked_schedule(admin_client):
    coverage_schedule_setup()
    job = PeriodicTask.objects.filter(crontab__isnull=False).first()

    form = (
        admin_client.get(reverse("admin:django_celery_beat_periodictask_change", args=[job.pk]))
        .context["adminform"]
        .form
    )

    assert {"crontab", "interval"} <= set(form.fields)
    assert not {"solar", "clocked"} & set(form.fields)


def test_saving_a_scheduled_job_in_the_admin_keeps_its_crontab(admin_client):
    coverage_schedule_setup()
    job = PeriodicTask.objects.filter(crontab__isnull=False).first()
    crontab_before = job.crontab_id
    url = reverse("admin:django_celery_beat_periodictask_change", args=[job.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in ((name, form[name].value()) for name in form.fields)
        if value is not None
    }
    data["description"] = "Checked by the admin"

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    job.refresh_from_db()
    assert job.description == "Checked by the admin"
    assert job.crontab_id == crontab_before


def test_the_admin_finds_and_shows_an_owner_by_full_name(admin_client, django_user_model):
    owner = make_user(django_user_model, "dortiz", first_name="Dana", last_name="Ortiz")
    agreement = AgreementFactory(owner=owner)

    found = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "agreements",
            "model_name": "agreement",
            "field_name": "owner",
            "term": "Ortiz",
        },
    ).json()["results"]
    change_page = admin_client.get(
        reverse("admin:agreements_agreement_change", args=[agreement.pk])
    ).content.decode()

    assert found == [{"id": str(owner.pk), "text": "Dana Ortiz"}]
    assert f'<option value="{owner.pk}" selected>Dana Ortiz (dortiz)</option>' in change_page
