"""The bounds of numbers taken from requests (core/bounds.py): which texts are row ids, and that
every number field of every form of the app stops at what its column holds."""

import importlib
import inspect
import pkgutil

import pytest
from django import forms

from core.bounds import ID_MAX, id_or_none

APPS = ("core", "skills", "clients", "agreements")


@pytest.mark.parametrize(
    ("text", "row_id"),
    [
        ("1", 1),
        ("0042", 42),
        (str(ID_MAX), ID_MAX),
        (7, 7),
    ],
)
def test_a_whole_number_a_table_holds_is_a_row_id(text, row_id):
    assert id_or_none(text) == row_id


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "0",
        "-1",
        str(ID_MAX + 1),
        str(10**30),
        "9" * 5000,
        "1.5",
        " 1",
        "²",  # str.isdigit() says yes, int() refuses it
        "١٢",  # Arabic-Indic digits: int() reads them, no id is typed so
        "abc",
    ],
)
def test_anything_else_is_no_row_id(text):
    assert id_or_none(text) is None


def app_form_classes():
    """Every form class the apps define (admin forms aside: Django builds them from models)."""
    classes = set()
    for app in APPS:
        package = importlib.import_module(app)
        for module_info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" in module_info.name or module_info.name.endswith(".admin"):
                continue
            module = importlib.import_module(module_info.name)
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                    classes.add(cls)
    return sorted(classes, key=lambda cls: f"{cls.__module__}.{cls.__name__}")


def test_every_number_field_of_every_form_stops_at_what_its_column_holds():
    unbounded = [
        f"{cls.__module__}.{cls.__name__}.{name}"
        for cls in app_form_classes()
        for name, field in cls.base_fields.items()
        if (isinstance(field, forms.IntegerField) and field.max_value is None)
        and not (isinstance(field, forms.DecimalField) and field.max_digits is not None)
    ]

    assert unbounded == []


def test_the_forms_walked_include_those_with_numbers():
    names = {cls.__name__ for cls in app_form_classes()}

    assert names >= {"AgreementForm", "ClientForm", "ClientTechnologyForm", "RequirementForm"}
