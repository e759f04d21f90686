from crispy_forms.templatetags.crispy_forms_field import is_checkbox, is_select
from django import template
from django.template.loader import get_template
from django.utils.html import format_html, format_html_join

from core import formatting

register = template.Library()


@register.filter
def money(value):
    """An amount as every page, email and admin list shows it: "$165,000", "$25,500.50"."""
    return formatting.money(value)


@register.simple_tag(takes_context=True)
def render_panel(context, template_name, panel_context):
    """A panel another app adds to this page (core/registry.py), with the page's request."""
    return get_template(template_name).render(
        {**context.flatten(), **panel_context}, context.get("request")
    )


@register.simple_tag(takes_context=True)
def column_cell(context, column, row):
    """The cell of a column another app adds to a list (core/registry.py) for `row`."""
    cell = get_template(column.template).render(
        {**context.flatten(), "row": row, "value": getattr(row, column.key, None)},
        context.get("request"),
    )
    return format_html('<td class="{}">{}</td>', column.css_class, cell)


@register.simple_tag
def formset_cell(field):
    """One field of a formset row (core/_formset_row.html) as a table cell: the markup crispy's
    Bootstrap 5 field template gives a cell without its label (the widget with form-select,
    form-check-input or form-control, is-invalid when in error; its help text and errors under
    it), built here because a form of many rows has hundreds of cells and that template costs
    a millisecond each."""
    widget = field.field.widget
    kind = (
        "form-check-input"
        if is_checkbox(field)
        else "form-select"
        if is_select(field)
        else "form-control"
    )
    classes = widget.attrs.get("class", "").split()
    for css in (widget.__class__.__name__.lower(), kind, "is-invalid" if field.errors else ""):
        if css and css not in classes:
            classes.append(css)
    parts = [field.as_widget(attrs={"class": " ".join(classes)})]
    if field.help_text:
        parts.append(
            format_html(
                '<div id="{}_helptext" class="form-text">{}</div>', field.auto_id, field.help_text
            )
        )
    if field.errors:
        errors = format_html_join(
            "",
            '<span id="error_{}_{}"><strong>{}</strong></span>',
            ((number, field.auto_id, error) for number, error in enumerate(field.errors, 1)),
        )
        parts.append(
            format_html(
                '<div id="{}_error" class="invalid-feedback">{}</div>', field.auto_id, errors
            )
        )
    wrapper = " ".join(["mb-3", field.css_classes()]).strip()
    return format_html(
        '<td id="div_{}" class="{}">{}</td>',
        field.auto_id,
        wrapper,
        format_html_join("", "{}", ((part,) for part in parts)),
    )


@register.filter(name="join_names")
def join_names_filter(names):
    """Names as a phrase: "Ann", "Ann and Bob", "Ann, Bob and Cy"."""
    return formatting.join_names(names)


@register.filter
def get_item(mapping, key):
    """mapping[key], or None: for dictionaries a view builds for a table's rows."""
    return mapping.get(key) if mapping else None


@register.filter
def names_preview(names, limit=8):
    """The first `limit` names and how many more: "Ann, Bob and 12 more"; all when few."""
    names = list(names)
    if len(names) <= limit:
        return ", ".join(names)
    return f"{', '.join(names[:limit])} and {len(names) - limit} more"


@register.simple_tag(takes_context=True)
def page_query(context, param, number):
    """This page's query string with `param` set to `number`: for a page with more than one
    paginated list, where each list keeps its own page and every other parameter stays."""
    query = context["request"].GET.copy()
    query[param] = number
    return f"?{query.urlencode()}"


@register.filter
def days_until(date, day):
    """Days from `day` to `date` (negative once it has passed); None without both."""
    if date is None or day is None:
        return None
    return (date - day).days


@register.filter
def days_away_text(days):
    """A number of days_until as words: "in 41 days", "today", "14 days ago"."""
    if days is None:
        return ""
    if days == 0:
        return "today"
    if days > 0:
        return f"in {formatting.count_text(days, 'day')}"
    return f"{formatting.count_text(-days, 'day')} ago"
