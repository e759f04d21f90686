"""docker-compose.yml, .env.example and the README agree with each other and with the settings.

No container engine runs where the tests do: tests/integration/test_processes.py starts the same
commands compose runs, for real.
"""

import os
import re
import subprocess
import sys

import pytest
import yaml
from django.conf import settings

APP_SERVICES = {"web", "worker", "webhooks", "beat"}
# Read before .env, or only by the test settings: no place in .env.
NOT_IN_ENV_FILE = {"CELERY_TASK_ALWAYS_EAGER", "DJANGO_READ_DOT_ENV_FILE"}


def compose():
    return yaml.safe_load((settings.BASE_DIR / "docker-compose.yml").read_text())


def command_line(service):
    command = compose()["services"][service]["command"]
    return command if isinstance(command, str) else " ".join(command)


def settings_variables():
    """Every environment variable the settings modules read."""
    source = "\n".join(
        path.read_text() for path in (settings.BASE_DIR / "config/settings").glob("*.py")
    )
    return set(
        re.findall(
            r"\b(?:env(?:\.\w+)?|env_int|env_url|required)\(\s*\"([A-Z][A-Z0-9_]*)\"", source
        )
    )


def env_example_variables():
    text = (settings.BASE_DIR / ".env.example").read_text()
    return set(re.findall(r"^#? ?([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))


def compose_variables():
    """Variables compose interpolates from .env, like ${POSTGRES_PASSWORD:?...}."""
    return set(
        re.findall(r"\$\{([A-Z][A-Z0-9_]*)", (settings.BASE_DIR / "docker-compose.yml").read_text())
    )


def test_compose_runs_the_whole_stack():
    assert set(compose()["services"]) == {
        "postgres",
        "redis",
        "web",
        "worker",
        "webhooks",
        "beat",
        "mailpit",
    }


def test_app_services_share_one_definition_from_the_image_built_here():
    text = (settings.BASE_DIR / "docker-compose.yml").read_text()
    services = compose()["services"]

    assert "x-app: &app" in text
    for name in APP_SERVICES:
        assert re.search(rf"^  {name}:\n    <<: \*app$", text, flags=re.MULTILINE), name
        assert services[name]["build"] == "."
        assert services[name]["env_file"] == ".env"
        assert services[name]["environment"]["DJANGO_SETTINGS_MODULE"] == (
            "config.settings.production"
        )
    assert (settings.BASE_DIR / "Dockerfile").is_file()


def test_every_service_has_a_healthcheck():
    for name, service in compose()["services"].items():
        assert service["healthcheck"]["test"], name


def test_redis_keeps_queued_tasks():
    command = " ".join(compose()["services"]["redis"]["command"])

    assert "--appendonly yes" in command
    assert "--maxmemory-policy noeviction" in command


def test_web_migrates_then_serves_with_gunicorn():
    assert re.search(r"manage\.py migrate .*&& exec gunicorn config\.wsgi ", command_line("web"))


def test_worker_and_exactly_one_beat_run_celery():
    services = compose()["services"]

    assert command_line("worker").startswith("celery -A config worker")
    assert re.search(
        r"manage\.py setup_schedule && exec celery -A config beat", command_line("beat")
    )
    assert services["beat"]["deploy"]["replicas"] == 1


def test_webhook_deliveries_have_a_worker_of_their_own():
    # The main worker serves the default queue only; the deliveries' queue is the setting's.
    assert "--queues" not in command_line("worker")
    assert command_line("webhooks").startswith(
        "celery -A config worker --queues ${WEBHOOK_QUEUE:-webhooks} "
    )
    assert settings.CELERY_TASK_ROUTES["agreements.api.deliver_webhook"] == {
        "queue": settings.WEBHOOK_QUEUE
    }


def test_app_services_wait_for_healthy_database_and_broker():
    services = compose()["services"]

    assert services["web"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["web"]["depends_on"]["redis"]["condition"] == "service_healthy"
    for name in ("worker", "webhooks", "beat"):
        # The web service migrates first; it becomes healthy only once gunicorn listens.
        assert services[name]["depends_on"]["web"]["condition"] == "service_healthy"


def test_service_urls_point_at_the_compose_services():
    environment = compose()["services"]["web"]["environment"]

    assert environment["DATABASE_URL"].startswith("postgres://")
    assert "@postgres:5432/" in environment["DATABASE_URL"]
    assert environment["REDIS_URL"] == "redis://redis:6379/0"
    assert environment["EMAIL_URL"] == "smtp://mailpit:1025"


def test_the_dockerfile_runs_as_a_user_and_collects_static_files():
    dockerfile = (settings.BASE_DIR / "Dockerfile").read_text()

    assert dockerfile.startswith("# ") and "FROM python:3.11-slim" in dockerfile
    assert re.search(r"^USER (?!root)\w+", dockerfile, flags=re.MULTILINE)
    assert "manage.py collectstatic --noinput" in dockerfile


def test_env_example_names_every_variable_the_settings_and_compose_read():
    missing = (settings_variables() - NOT_IN_ENV_FILE | compose_variables()) - (
        env_example_variables()
    )

    assert not missing


def test_env_example_holds_no_secret():
    text = (settings.BASE_DIR / ".env.example").read_text()

    assert re.search(r"^SECRET_KEY=$", text, flags=re.MULTILINE)
    assert re.search(r"^POSTGRES_PASSWORD=$", text, flags=re.MULTILINE)


@pytest.mark.parametrize("variable", sorted(settings_variables() | compose_variables()))
def test_readme_documents_every_variable(variable):
    readme = (settings.BASE_DIR / "README.md").read_text()

    assert re.search(rf"^\| `{variable}` \|", readme, flags=re.MULTILINE)


def test_a_gunicorn_worker_hands_the_loaded_app_to_the_permanent_generation():
    # In a process of its own, as a worker: freezing is for the life of the process.
    script = (
        "import gc, runpy, sys, django; django.setup(); "
        "hooks = runpy.run_path('gunicorn.conf.py'); hooks['post_worker_init'](None); "
        "print(gc.get_freeze_count(), 'agreements.planning.views' in sys.modules)"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    frozen, views_loaded = completed.stdout.split()

    # Django, the models and, through the URLconf, every view.
    assert int(frozen) > 50_000
    assert views_loaded == "True"
