"""gunicorn's settings for every way the app is served (Dockerfile, docker compose, the page
benchmark); gunicorn reads this file from the working folder.

Processes: two per CPU by default, so that the CPUs share the requests between them (a process
runs Python on one CPU at a time). Threads: two per process, so a page that takes long (a
what-if evaluated for the first time, a large CSV) does not keep the short pages behind it
waiting; more threads per process would mostly wait for each other's turn at the interpreter.
Django is thread-safe and every thread keeps its own database connection."""

import gc
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", str(2 * (os.cpu_count() or 1))))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
timeout = 60
# Longer than a user pauses between two clicks, so a kept-alive connection is not closed by
# the server just as the browser reuses it.
keepalive = 5


def post_worker_init(worker):
    """Once a worker has loaded the app: load every view too (the URLconf imports them), then
    hand what is loaded to the garbage collector's permanent generation. It lives as long as
    the process, and a full collection, which holds up the worker's other thread too, no longer
    scans it: such a collection went through some 190,000 objects in 45 to 75 ms, and takes
    about 5 ms afterwards."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (loads the URLconf)
    gc.collect()
    gc.freeze()
