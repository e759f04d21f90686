"""Every page of the app, found by walking the URL resolver (Django admin aside), so that a
page added later is fuzzed, crawled and checked like the others."""

from django.urls import URLPattern, URLResolver, get_resolver, reverse

UNKNOWN_ID = 987654321


# The API's endpoints are not pages: tests/agreements/api/ calls every one of them.
API_ENDPOINTS = "api/v1/"


def _walk(patterns, namespace=None, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            route = prefix + str(pattern.pattern)
            if pattern.app_name == "admin" or route == API_ENDPOINTS:
                continue
            yield from _walk(pattern.url_patterns, pattern.namespace or namespace, route)
        elif isinstance(pattern, URLPattern) and hasattr(pattern.callback, "view_class"):
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield name, pattern


def _patterns() -> dict:
    patterns = {}
    for name, pattern in _walk(get_resolver().url_patterns):
        patterns.setdefault(name, pattern)
    return patterns


PATTERNS = _patterns()
# {url name: view class}
VIEWS = {name: pattern.callback.view_class for name, pattern in PATTERNS.items()}


def takes_pk(name: str) -> bool:
    return "pk" in PATTERNS[name].pattern.converters


def takes_other_arguments(name: str) -> bool:
    """Pages whose URL holds more than a row's id (a mailed token): not reachable by walking."""
    return bool(set(PATTERNS[name].pattern.converters) - {"pk"})


def existing_pk(name: str) -> int:
    rows = VIEWS[name].model.objects.order_by("pk").values_list("pk", flat=True)
    return rows.first() or UNKNOWN_ID


def page_url(name: str, pk=None) -> str:
    """The page's URL; for a page of one row, that of the first row of its model (or `pk`)."""
    if takes_pk(name):
        return reverse(name, kwargs={"pk": existing_pk(name) if pk is None else pk})
    return reverse(name)
