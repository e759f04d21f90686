import django_filters
from django import forms

from core.filters import NameSearchFilter
from skills.models import Skill, Technician
from skills.selectors import skill_categories


class TechnicianFilter(django_filters.FilterSet):
    q = NameSearchFilter()
    status = django_filters.ChoiceFilter(
        choices=Technician.Status.choices,
        empty_label="Any status",
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    class Meta:
        model = Technician
        fields = ["q", "status"]


class SkillFilter(django_filters.FilterSet):
    q = NameSearchFilter()
    category = django_filters.ModelChoiceFilter(
        queryset=skill_categories(),
        empty_label="All categories",
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    class Meta:
        model = Skill
        fields = ["q", "category"]
