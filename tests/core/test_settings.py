"""Start-up with production settings, and what a bad environment does to it."""

import os
import secrets

import pytest

from tests.processes import manage

CONFIGURATION = (
    "DATABASE_URL",
    "REDIS_URL",
    "EMAIL_URL",
    "EMAIL_HOST",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


def production_environment(**overrides):
    environment = {key: value for key, value in os.environ.items() if key not in CONFIGURATION}
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_READ_DOT_ENV_FILE="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="covered.example.com",
        DATABASE_URL="postgres://covered:covered@127.0.0.1:5432/covered",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    environment.update(overrides)
    return {key: value for key, value in environment.items() if value is not None}


def test_deploy_check_passes_with_production_settings_and_a_valid_environment():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", environment=production_environment()
    )

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("variable", "value", "complaint"),
    [
        ("DATABASE_URL", "notaurl", "use postgres://"),
        ("DATABASE_URL", "mysqlx://covered:s3cret@db.example.com/covered", "use postgres://"),
        ("DATABASE_URL", "postgres://covered:s3cret@db.example.com:port/covered", "Port"),
        ("DATABASE_URL", "postgres://db.example.com", "name is missing"),
        ("REDIS_URL", "127.0.0.1:6379", "use redis://"),
        ("SECRET_KEY", None, "is required in production"),
        ("SECRET_KEY", "short", "at least 50"),
        ("ALLOWED_HOSTS", None, "is required in production"),
        ("COVERAGE_WARNING_DAYS", "sixty", "whole number"),
        ("COVERAGE_REPORT_TIME", "2am", "HH:MM"),
        ("SKILL_REVIEW_MONTHS", "0", "SKILL_REVIEW_MONTHS must be at least 1"),
        ("SKILL_REVIEW_MONTHS", "a year", "whole number"),
        ("API_TOKEN_RATE", "lots", "per second, minute, hour or day"),
        ("WEBHOOK_MAX_ATTEMPTS", "0", "WEBHOOK_MAX_ATTEMPTS must be at least 1"),
        ("WEBHOOK_RETRY_MAX_SECONDS", "7200", "less than 3600"),
    ],
)
def test_a_bad_setting_stops_start_up_with_one_line_naming_it(variable, value, complaint):
    result = manage("check", environment=production_environment(**{variable: value}))

    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert variable in lines[0]
    assert complaint in lines[0]
    assert "s3cret" not in lines[0]


def test_a_bad_anonymous_rate_names_the_variable_that_holds_it():
    result = manage("check", environment=production_environment(API_ANONYMOUS_RATE="lots"))

    assert result.returncode != 0
    assert "API_ANONYMOUS_RATE must be a number of requests" in result.stderr


def test_production_does_not_install_the_demo_tooling():
    result = manage("help", "--commands", environment=production_environment())

    assert result.returncode == 0, result.stderr
    commands = result.stdout.split()
    assert "check_coverage" in commands
    assert "seed_demo" not in commands
    assert "bench_coverage" not in commands


def test_the_container_healthcheck_passes_with_production_settings():
    result = manage("healthcheck", "--scope", "web", environment=production_environment())

    assert result.returncode == 0, result.stdout + result.stderr
    assert '"database": {"status": "ok"}' in result.stdout
