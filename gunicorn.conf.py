"""gunicorn's settings for every way the app is served (Dockerfile, docker compose, the page
benchmark); gunicorn reads this file from the working folder.

Threads: a page that takes long (a what-if, a large CSV) occupies one thread, not a whole
worker, so the short pages behind it are not kept waiting. Django is thread-safe and every
thread keeps its own database connection."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = 60
# Longer than a user pauses between two clicks, so a kept-alive connection is not closed by
# the server just as the browser reuses it.
keepalive = 5
