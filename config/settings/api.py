"""The REST API at /api/v1/ and the webhooks it sends."""

from config.settings.env import env
from core.bounds import ID_SCHEMA

# Personal tokens (stored hashed, agreements.ApiToken) or the browser's session; the same roles as
# the pages (agreements/api/permissions.py).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "agreements.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["agreements.api.permissions.RolePermission"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "agreements.api.pagination.IdCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": [
        "agreements.api.throttling.TokenRateThrottle",
        "agreements.api.throttling.SessionRateThrottle",
        "rest_framework.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "token": env.rate("API_TOKEN_RATE", default="1200/hour"),
        "session": env.rate("API_SESSION_RATE", default="1200/hour"),
        "anon": env.rate("API_ANONYMOUS_RATE", default="60/hour"),
    },
    # The anonymous budget is per address: the connection's, as for logins and password resets,
    # never one named in an X-Forwarded-For header, which any caller can write.
    "NUM_PROXIES": 0,
    "DEFAULT_SCHEMA_CLASS": "agreements.api.schema.CoveredAutoSchema",
    "EXCEPTION_HANDLER": "agreements.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DATE_INPUT_FORMATS": ["iso-8601"],
    "COERCE_DECIMAL_TO_STRING": True,
}
KNOX_TOKEN_MODEL = "agreements.ApiToken"
# django-rest-knox's own token table is never made: agreements.ApiToken stands in for it.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    # Tokens last until they are revoked unless their user gives them an expiry.
    "TOKEN_TTL": None,
    "AUTH_HEADER_PREFIX": "Token",
    "TOKEN_PREFIX": "cov_",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Covered API",
    "DESCRIPTION": (
        "Clients, technicians, the catalog, agreements and their recorded coverage, with the "
        "same roles as the web app. Authenticate with a personal token: "
        "`Authorization: Token <token>`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One name for each choice set that several fields use (skill levels, the statuses).
    "ENUM_NAME_OVERRIDES": {
        "LevelEnum": "skills.models.Level",
        "AgreementStatusEnum": "agreements.models.Agreement.Status",
        "ClientStatusEnum": "clients.models.Client.Status",
        "CoverageStatusEnum": "agreements.coverage.models.CoverageStatus",
        "CheckedCoverageStatusEnum": "agreements.coverage.selectors.CHECKED_COVERAGE_CHOICES",
        "FlagStatusEnum": "agreements.coverage.models.CoverageFlag.Status",
        "RiskKindEnum": "agreements.coverage.models.RiskKind",
        "GapCauseEnum": "agreements.coverage.models.GapCause",
        "CheckRequestStatusEnum": "agreements.coverage.models.CoverageCheckRequest.Status",
    },
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # A row id in a path (`<id:pk>`, core/bounds.py): a whole number a table's id can hold.
    "PATH_CONVERTER_OVERRIDES": {"id": ID_SCHEMA},
}

# ------------------------------------------------------------------------------ webhooks
# Webhook URLs may point at private or loopback addresses only where this is true (the tests).
WEBHOOK_ALLOW_PRIVATE_HOSTS = env.bool("WEBHOOK_ALLOW_PRIVATE_HOSTS", default=False)
# Each webhook delivery is one POST that waits at most WEBHOOK_TIMEOUT_SECONDS for the receiver
# to connect and for each read. A failed one (no 2xx answer) is tried again after base, 2 × base,
# 4 × base … seconds, capped at WEBHOOK_RETRY_MAX_SECONDS, WEBHOOK_MAX_ATTEMPTS attempts in all.
WEBHOOK_TIMEOUT_SECONDS = env.int("WEBHOOK_TIMEOUT_SECONDS", default=5, minimum=1)
WEBHOOK_RETRY_BASE_SECONDS = env.int("WEBHOOK_RETRY_BASE_SECONDS", default=30, minimum=1)
# A retry waiting longer than Redis's visibility timeout (an hour) would be handed out twice.
WEBHOOK_RETRY_MAX_SECONDS = env.int("WEBHOOK_RETRY_MAX_SECONDS", default=900, minimum=1, below=3600)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=6, minimum=1)
# Deliveries wait in a queue of their own, served by a worker of its own (`celery worker -Q
# webhooks`, see docker-compose.yml), so that receivers that hang never hold up the nightly run
# and its report on the main worker. "celery" puts them in the main queue instead.
WEBHOOK_QUEUE = env.str("WEBHOOK_QUEUE", default="webhooks", blank=False)
CELERY_TASK_ROUTES = {"agreements.api.deliver_webhook": {"queue": WEBHOOK_QUEUE}}
