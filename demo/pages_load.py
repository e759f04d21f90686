"""The load phase of `bench_pages`: locust users who log in, then click through the pages.

Run as `python -m demo.pages_load` with a JSON object on stdin:
{"host": ..., "username": ..., "password": ..., "pages": [[name, path], ...], "users": 20,
"seconds": 60, "think_time": [1, 2]}. Prints one JSON object on stdout: per page the request
count, failures, p50 and p95 in ms; the session keys the users got, so they can be deleted.

Locust runs on gevent, which patches the standard library on import: this is a process of its
own, without Django. Timing starts once every user has logged in (password hashing would
otherwise crowd the first seconds); no user asks for a page before then. It lasts `seconds`, and
longer if some page has not been answered yet (a slow machine, few users), at most
`COMPLETION_GRACE_SECONDS` more, so every page gets figures.
"""

import itertools
import json
import sys
import time

import gevent
import gevent.event
from locust import HttpUser, between, task
from locust.env import Environment
from locust.exception import StopUser

from demo.http_client import SESSION_COOKIE, LoginFailed, cookie_header, log_in

LOGIN = "(login)"
LOGIN_TIMEOUT_SECONDS = 120
NETWORK_TIMEOUT_SECONDS = 120
COMPLETION_GRACE_SECONDS = 120
POLL_SECONDS = 0.25


class LoadPhase:
    """One run: the user class, the logins counted, the timed window."""

    def __init__(self, config):
        self.config = config
        self.logins_attempted = 0
        self.login_errors = []
        self.session_keys = []
        self.started_at = None
        self.timing = gevent.event.Event()
        self.environment = Environment(user_classes=[self.user_class()])

    def user_class(self):
        phase = self
        config = self.config
        pages = config["pages"]
        starts = itertools.count()

        class PageUser(HttpUser):
            host = config["host"]
            wait_time = between(*config["think_time"])
            network_timeout = NETWORK_TIMEOUT_SECONDS

            def on_start(self):
                # Each user walks the pages in turn from its own start, so every page is hit.
                self.position = next(starts)
                try:
                    cookies = log_in(
                        self.client,
                        self.host,
                        username=config["username"],
                        password=config["password"],
                        name=LOGIN,
                    )
                except LoginFailed as error:
                    phase.logged_in(error=str(error))
                    raise StopUser() from error
                self.cookies = cookie_header(cookies)
                phase.logged_in(session_key=cookies[SESSION_COOKIE])
                phase.timing.wait()

            @task
            def next_page(self):
                name, path = pages[self.position % len(pages)]
                self.position += 1
                with self.client.get(
                    path,
                    name=name,
                    headers={"Cookie": self.cookies},
                    allow_redirects=False,
                    catch_response=True,
                ) as response:
                    if response.status_code != 200:
                        response.failure(f"HTTP {response.status_code}")

        return PageUser

    def logged_in(self, *, session_key=None, error=None):
        self.logins_attempted += 1
        if session_key:
            self.session_keys.append(session_key)
        if error:
            self.login_errors.append(error)
        if self.logins_attempted == self.config["users"]:
            self.environment.stats.reset_all()
            self.started_at = time.monotonic()
            self.timing.set()
            gevent.spawn(self.stop_when_measured)

    def stop_when_measured(self):
        """Quits once `seconds` have passed and every page has been answered at least once."""
        gevent.sleep(self.config["seconds"])
        deadline = time.monotonic() + COMPLETION_GRACE_SECONDS
        while not self.every_page_answered() and time.monotonic() < deadline:
            gevent.sleep(POLL_SECONDS)
        self.environment.runner.quit()

    def every_page_answered(self) -> bool:
        stats = self.environment.stats
        return all(stats.get(name, "GET").num_requests for name, _path in self.config["pages"])

    def run(self) -> dict:
        runner = self.environment.create_local_runner()
        users = self.config["users"]
        runner.start(users, spawn_rate=users)
        # Stops the run even when some user never finishes logging in.
        gevent.spawn_later(
            LOGIN_TIMEOUT_SECONDS + self.config["seconds"] + COMPLETION_GRACE_SECONDS, runner.quit
        )
        runner.greenlet.join()
        measured = time.monotonic() - self.started_at if self.started_at else 0
        return {
            "pages": {name: self.page_figures(name) for name, _path in self.config["pages"]},
            "measured_seconds": round(measured, 1),
            "logins": len(self.session_keys),
            "login_errors": self.login_errors,
            "errors": [
                {"page": error.name, "error": str(error.error), "count": error.occurrences}
                for error in self.environment.stats.errors.values()
            ],
            "session_keys": self.session_keys,
        }

    def page_figures(self, name) -> dict:
        entry = self.environment.stats.get(name, "GET")
        measured = entry.num_requests > 0
        return {
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "p50_ms": entry.get_response_time_percentile(0.5) if measured else None,
            "p95_ms": entry.get_response_time_percentile(0.95) if measured else None,
        }


def main():
    config = json.load(sys.stdin)
    print(json.dumps(LoadPhase(config).run()))


if __name__ == "__main__":
    main()
