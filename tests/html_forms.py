"""The data a browser would post for a form of a rendered page: to submit a page's form as it
is, or altered."""

from html.parser import HTMLParser


class _FormParser(HTMLParser):
    """The fields of every <form> of a page, in order: each form as a list of (name, value) with
    the values a browser would send without the user changing anything."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []  # [{"attrs": {...}, "fields": [(name, value)]}]
        self.options = {}  # {select name: [every option's value]}
        self._select = None  # [name, first value, chosen values]
        self._option = None  # attrs of the open <option>, and its text so far
        self._textarea = None
        self._in_template = 0  # a <template>'s fields are not the form's: a browser posts none

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "template":
            self._in_template += 1
        if self._in_template:
            return
        if tag == "form":
            self.forms.append({"attrs": attrs, "fields": []})
        elif not self.forms or "disabled" in attrs:
            return
        elif tag == "input":
            self._input(attrs)
        elif tag == "select" and attrs.get("name"):
            self._select = [attrs["name"], None, [], "multiple" in attrs]
        elif tag == "option" and self._select is not None:
            self._option = [attrs, ""]
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = [attrs["name"], ""]

    def _input(self, attrs):
        kind = attrs.get("type", "text").lower()
        name = attrs.get("name")
        if not name or kind in ("submit", "button", "image", "reset", "file"):
            return
        if kind in ("checkbox", "radio") and "checked" not in attrs:
            return
        default = "on" if kind in ("checkbox", "radio") else ""
        self.forms[-1]["fields"].append((name, attrs.get("value", default)))

    def handle_data(self, data):
        if self._in_template:
            return
        if self._option is not None:
            self._option[1] += data
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "template":
            self._in_template -= 1
        if self._in_template:
            return
        if tag == "option" and self._option is not None:
            attrs, text = self._option
            value = attrs.get("value", text.strip())
            if self._select[1] is None:
                self._select[1] = value
            self.options.setdefault(self._select[0], []).append(value)
            if "selected" in attrs:
                self._select[2].append(value)
            self._option = None
        elif tag == "select" and self._select is not None:
            name, first, chosen, multiple = self._select
            values = chosen or ([] if multiple or first is None else [first])
            self.forms[-1]["fields"].extend((name, value) for value in values)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            self.forms[-1]["fields"].append((name, text.removeprefix("\n")))
            self._textarea = None


def page_forms(html: str) -> list[dict]:
    """Every form of `html`: {"attrs": the <form>'s attributes, "fields": [(name, value)]}."""
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def select_options(html: str, name: str) -> list[str]:
    """The values of every <option> of the <select name=`name`> in the forms of `html`."""
    parser = _FormParser()
    parser.feed(html)
    return parser.options.get(name, [])


def post_forms(html: str) -> list[dict]:
    """The POST forms of `html` that post to the page itself (no action): a page's own forms,
    not the log-out button of the navigation bar."""
    return [
        form
        for form in page_forms(html)
        if form["attrs"].get("method", "").lower() == "post" and not form["attrs"].get("action")
    ]


def post_form_data(html: str, *, index: int = 0) -> dict:
    """The `index`-th of `post_forms(html)` as a dict for the test client (a list for names
    that occur more than once), the CSRF token left out: the test client needs none."""
    return form_data(post_forms(html)[index])


def form_data(form: dict) -> dict:
    data = {}
    for name, value in form["fields"]:
        if name == "csrfmiddlewaretoken":
            continue
        data.setdefault(name, []).append(value)
    return {name: values[0] if len(values) == 1 else values for name, values in data.items()}
