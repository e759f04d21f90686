"""Production: DEBUG off, secrets required, HTTPS, static files through WhiteNoise."""

from config.settings.base import *  # noqa: F403
from config.settings.base import STORAGES, env

DEBUG = False
SECRET_KEY = env.secret_key("SECRET_KEY")
ALLOWED_HOSTS = env.required("ALLOWED_HOSTS", cast=list)
# Encrypts the credentials of the connections to the PSA and the RMM.
CONNECTOR_ENCRYPTION_KEY = env.secret_key("CONNECTOR_ENCRYPTION_KEY")

# ------------------------------------------------------------------------------ security
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# ------------------------------------------------------------------------------ static files
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
