from django.db import models

from agreements.models.contracts import Requirement
from skills.models import TrainingGoal


class PlannedRequirement(models.Model):
    """The requirement a training goal was made for ("Add to plan" from its flag): the plan
    shows the goal against that requirement's flags, and says when someone else covers it."""

    goal = models.OneToOneField(
        TrainingGoal, on_delete=models.CASCADE, related_name="planned_requirement"
    )
    requirement = models.ForeignKey(
        Requirement, on_delete=models.CASCADE, related_name="planned_goals"
    )

    def __str__(self):
        return f"{self.goal} for {self.requirement}"
