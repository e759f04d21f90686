"""Choices that carry their colour, as NetBox's `ChoiceSet` does.

A member is declared as (value, label, colour), e.g. `ACTIVE = "active", "Active", "success"`,
and reads as `.color`: the Bootstrap colour of its badge (core/_badge.html renders every status
badge from a label and a colour). A choices class that needs more about its members declares
them after the colour and takes them in `__init__`, as Python's own enums do:

    class CoverageStatus(ChoiceSet):
        COVERED = "covered", "Covered", "success", "#067647", 1

        def __init__(self, value, color, email_color, severity):
            super().__init__(value, color)
            self.email_color, self.severity = email_color, severity
"""

from django.db import models
from django.db.models.enums import ChoicesType


class ChoiceSetType(ChoicesType):
    """Hands Django's TextChoices each member in the order it reads, the label last."""

    def __new__(metacls, classname, bases, classdict, **kwds):
        for key in classdict._member_names:
            value, label, *shown = classdict[key]
            # dict.__setitem__: the enum's class dictionary refuses a name assigned twice.
            dict.__setitem__(classdict, key, (value, *shown, label))
        return super().__new__(metacls, classname, bases, classdict, **kwds)


class ChoiceSet(models.TextChoices, metaclass=ChoiceSetType):
    def __new__(cls, value, *shown):
        member = str.__new__(cls, value)
        member._value_ = value
        return member

    def __init__(self, value, color):
        self.color = color
