"""How form widgets are rendered."""

from functools import cached_property
from pathlib import Path

import django.forms
from django.forms.renderers import TemplatesSetting
from django.template import TemplateDoesNotExist
from django.template.backends.jinja2 import Jinja2

DJANGO_WIDGETS = "django/forms/widgets/"


class TemplatesWithJinja2Widgets(TemplatesSetting):
    """The project's templates (its own widgets, the admin's, crispy's), except Django's
    built-in widgets, which are rendered from the Jinja2 versions Django ships with them: the
    same markup at a fraction of the cost, which counts in a form of many rows or a list of
    many options (a technician's skills: hundreds of widgets on one page)."""

    @cached_property
    def widgets_engine(self):
        return Jinja2(
            {
                "APP_DIRS": False,
                "DIRS": [Path(django.forms.__file__).parent / "jinja2"],
                "NAME": "django-widgets-jinja2",
                "OPTIONS": {},
            }
        )

    def get_template(self, template_name):
        if template_name.startswith(DJANGO_WIDGETS):
            try:
                return self.widgets_engine.get_template(template_name)
            except TemplateDoesNotExist:
                pass
        return super().get_template(template_name)
