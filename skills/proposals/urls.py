"""My skills and proposals, under the skills app's names (included by skills/urls.py)."""

from django.urls import path

from skills.proposals import views

urlpatterns = [
    path("my-skills/", views.MySkillsView.as_view(), name="my_skills"),
    path(
        "my-skills/skills/<id:pk>/still-accurate/",
        views.MySkillConfirmView.as_view(),
        name="my_skill_confirm",
    ),
    path(
        "my-skills/propose/skill/",
        views.SkillProposalCreateView.as_view(),
        name="proposal_skill_create",
    ),
    path(
        "my-skills/propose/certification/",
        views.CertificationProposalCreateView.as_view(),
        name="proposal_certification_create",
    ),
    path(
        "my-skills/proposals/<id:pk>/withdraw/",
        views.ProposalWithdrawView.as_view(),
        name="proposal_withdraw",
    ),
    path(
        "proposals/<id:pk>/evidence/",
        views.ProposalEvidenceView.as_view(),
        name="proposal_evidence",
    ),
]
