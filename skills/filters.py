import django_filters
from django import forms

from skills.models import Skill, SkillCategory, Technician


class TechnicianFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Name")
    status = django_filters.ChoiceFilter(
        choices=Technician.Status.choices,
        empty_label="Any status",
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    class Meta:
        model = Technician
        fields = ["q", "status"]


class SkillFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Name")
    category = django_filters.ModelChoiceFilter(
        queryset=SkillCategory.objects.order_by("name"),
        empty_label="All categories",
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    class Meta:
        model = Skill
        fields = ["q", "category"]
