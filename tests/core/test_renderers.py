"""Widgets: Django's own from their Jinja2 templates, with the markup of the Django templates
(the same HTML, up to blank lines and how a quote is escaped)."""

import datetime

import pytest
from django import forms
from django.forms.renderers import TemplatesSetting
from django.template.backends.jinja2 import Template as Jinja2Template
from django.test.html import parse_html

from core.forms import AutocompleteSelect
from core.renderers import TemplatesWithJinja2Widgets


class EveryKindForm(forms.Form):
    name = forms.CharField(initial='Dana "DO" Ortiz <dana@example.com>')
    level = forms.ChoiceField(choices=[("", "---------"), (1, "1 – aware"), (3, "3 & more")])
    levels = forms.MultipleChoiceField(choices=[(1, "one"), (2, "two")], initial=[2])
    grouped = forms.ChoiceField(choices=[("Old", [(1, "v1"), (2, "v2")]), ("New", [(3, "v3")])])
    active = forms.BooleanField(initial=True)
    notes = forms.CharField(widget=forms.Textarea, initial="<b>not bold</b>")
    due = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}), initial=datetime.date(2027, 1, 15)
    )
    count = forms.IntegerField(initial=3)
    kind = forms.ChoiceField(widget=forms.RadioSelect, choices=[("a", "A"), ("b", "B")])


@pytest.mark.parametrize("name", list(EveryKindForm.base_fields))
def test_django_widgets_render_the_same_markup_from_jinja2(name):
    jinja2 = EveryKindForm(renderer=TemplatesWithJinja2Widgets())
    templates = EveryKindForm(renderer=TemplatesSetting())

    assert parse_html(str(jinja2[name])) == parse_html(str(templates[name]))


def test_only_django_widgets_come_from_jinja2():
    renderer = TemplatesWithJinja2Widgets()

    assert isinstance(renderer.get_template("django/forms/widgets/select.html"), Jinja2Template)
    assert not isinstance(renderer.get_template(AutocompleteSelect.template_name), Jinja2Template)
    assert not isinstance(
        renderer.get_template("admin/widgets/related_widget_wrapper.html"), Jinja2Template
    )
