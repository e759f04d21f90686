from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import floatformat

register = template.Library()


@register.filter
def money(value):
    """Whole dollars with thousands separators, for a "$" in front: 165000 -> "165,000"."""
    return intcomma(floatformat(value, 0))
