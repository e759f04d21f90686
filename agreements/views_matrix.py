"""The skills matrix page and its CSV download (see agreements/matrix.py for why they live here)."""

import csv

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from agreements.matrix import skills_matrix
from agreements.models import Agreement
from core.permissions import ModelPermissionMixin, perm_name
from skills.forms import MatrixFilterForm
from skills.models import Skill, Technician, TechnicianSkill

# Characters that make a spreadsheet read a cell as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class MatrixPermissionMixin(ModelPermissionMixin):
    """The matrix shows technicians, their skills and the revenue of agreements."""

    model = TechnicianSkill

    def get_permission_required(self):
        models = (TechnicianSkill, Technician, Skill, Agreement)
        return tuple(perm_name(model, "view") for model in models)

    def get_matrix(self):
        form = MatrixFilterForm(self.request.GET or None)
        category = form.cleaned_data["category"] if form.is_valid() else None
        return form, skills_matrix(category=category, day=timezone.localdate())


class SkillsMatrixView(MatrixPermissionMixin, TemplateView):
    template_name = "skills/skills_matrix.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        form, matrix = self.get_matrix()
        page = Paginator(matrix.skills, self.paginate_by).get_page(self.request.GET.get("page"))
        return super().get_context_data(form=form, matrix=matrix, page_obj=page, **kwargs)


def spreadsheet_safe(value):
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


class SkillsMatrixCsvView(MatrixPermissionMixin, View):
    def get(self, request, *args, **kwargs):
        _form, matrix = self.get_matrix()
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        suffix = f"-{matrix.category.name}" if matrix.category else ""
        filename = f"skills-matrix{suffix}-{matrix.day.isoformat()}.csv".replace(" ", "-")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        writer = csv.writer(response)
        writer.writerow(
            [
                "Category",
                "Skill",
                *(spreadsheet_safe(technician.name) for technician in matrix.technicians),
                "Qualified technicians (level 3+, available)",
                "Revenue dependence",
            ]
        )
        for skill in matrix.skills:
            writer.writerow(
                [
                    spreadsheet_safe(skill.category),
                    spreadsheet_safe(skill.name),
                    *("" if level is None else level for level in skill.levels),
                    skill.qualified_count,
                    f"{skill.revenue_dependence:.2f}",
                ]
            )
        return response
