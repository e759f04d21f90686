"""A vendor's API played by a real local HTTP server (pytest-httpserver), and a client whose waits
are recorded instead of slept."""

import json

import pytest
from werkzeug import Request, Response


class Sleeps(list):
    """Stands for time.sleep: records each wait and advances a clock by it."""

    def __init__(self):
        super().__init__()
        self.now = 0.0

    def __call__(self, seconds: float) -> None:
        self.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


@pytest.fixture
def sleeps():
    return Sleeps()


@pytest.fixture
def http_options(sleeps):
    """What a connection passes to a vendor's `open`: small pages, no real waiting."""
    return {"page_size": 2, "retries": 2, "backoff": 1.0, "sleep": sleeps, "clock": sleeps.clock}


def json_response(body, status=200, headers=None) -> Response:
    return Response(json.dumps(body), status=status, headers=headers, mimetype="application/json")


class Pages:
    """A handler that answers the same request with the next of its answers each time (a cursor
    the vendor keeps on its side), repeating the last one when it runs out."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.calls = 0

    def __call__(self, request: Request) -> Response:
        answer = self.answers[min(self.calls, len(self.answers) - 1)]
        self.calls += 1
        return answer if isinstance(answer, Response) else json_response(answer)


def form_of(request: Request) -> dict[str, str]:
    return dict(request.form.items())
