"""Logging in to a server that runs the production settings, over plain HTTP.

Production marks the session and CSRF cookies Secure, and an HTTP client rightly keeps those
for HTTPS. The benchmark talks to http://127.0.0.1, so it reads the cookies from Set-Cookie
itself and sends them back in a Cookie header. No Django here: the load phase imports this
under gevent, in a process of its own.
"""

import re
from http.cookies import SimpleCookie

LOGIN_PATH = "/accounts/login/"
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SESSION_COOKIE = "sessionid"
CSRF_COOKIE = "csrftoken"


class LoginFailed(Exception):
    pass


def set_cookies(response) -> dict[str, str]:
    """The cookies a `requests` response sets, Secure ones included."""
    jar = SimpleCookie()
    for header in response.raw.headers.getlist("Set-Cookie"):
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}


def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def log_in(session, base_url: str, *, username: str, password: str, **options) -> dict[str, str]:
    """Log in through the login form with a `requests` session (or locust's, which takes
    `options` such as name=); returns the cookies to send with every later request."""
    url = base_url + LOGIN_PATH
    form = session.get(url, allow_redirects=False, **options)
    cookies = set_cookies(form)
    token = CSRF_INPUT.search(form.text)
    if form.status_code != 200 or token is None or CSRF_COOKIE not in cookies:
        raise LoginFailed(f"GET {LOGIN_PATH} answered {form.status_code} without a CSRF token")
    answer = session.post(
        url,
        data={"username": username, "password": password, "csrfmiddlewaretoken": token[1]},
        headers={"Referer": url, "Cookie": cookie_header(cookies)},
        allow_redirects=False,
        **options,
    )
    cookies |= set_cookies(answer)
    if answer.status_code != 302 or SESSION_COOKIE not in cookies:
        raise LoginFailed(
            f"POST {LOGIN_PATH} answered {answer.status_code} without a session: "
            "wrong username or password?"
        )
    return cookies
