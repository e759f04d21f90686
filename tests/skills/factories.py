import datetime
from decimal import Decimal

import factory

from skills.models import (
    Certification,
    PartnerProgram,
    PartnerRule,
    Skill,
    SkillCategory,
    SkillProposal,
    SkillVersion,
    Technician,
    TechnicianCertification,
    TechnicianSkill,
    TrainingGoal,
)


class SkillCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SkillCategory
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Category {n}")


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skill

    name = factory.Sequence(lambda n: f"Skill {n}")
    category = factory.SubFactory(SkillCategoryFactory)
    vendor = "Microsoft"


class SkillVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SkillVersion

    skill = factory.SubFactory(SkillFactory)
    rank = factory.Sequence(lambda n: n + 1)
    label = factory.LazyAttribute(lambda version: str(2000 + version.rank))


class TechnicianFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Technician

    name = factory.Sequence(lambda n: f"Technician {n}")
    email = factory.Sequence(lambda n: f"technician{n}@msp.example")
    status = Technician.Status.ACTIVE


class TechnicianSkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TechnicianSkill

    technician = factory.SubFactory(TechnicianFactory)
    skill = factory.SubFactory(SkillFactory)
    level = 3


class CertificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certification

    name = factory.Sequence(lambda n: f"Certification {n}")
    issuer = "Microsoft"
    validity_months = None


class TechnicianCertificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TechnicianCertification

    technician = factory.SubFactory(TechnicianFactory)
    certification = factory.SubFactory(CertificationFactory)
    earned_on = datetime.date(2024, 1, 15)
    expires_on = None


class TrainingGoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingGoal

    technician = factory.SubFactory(TechnicianFactory)
    skill = factory.SubFactory(SkillFactory)
    target_level = 3
    due_date = datetime.date(2027, 3, 31)


class SkillProposalFactory(factory.django.DjangoModelFactory):
    """A pending proposal of a new skill at level 4, made by the technician's own login."""

    class Meta:
        model = SkillProposal

    technician = factory.SubFactory(TechnicianFactory)
    proposed_by = factory.LazyAttribute(lambda proposal: proposal.technician.user)
    kind = SkillProposal.Kind.NEW_SKILL
    skill = factory.SubFactory(SkillFactory)
    level = 4


class PartnerProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerProgram

    vendor = "Microsoft"
    tier = factory.Sequence(lambda n: f"Solutions Partner {n}")
    yearly_benefit = Decimal("12000.00")


class PartnerRuleFactory(factory.django.DjangoModelFactory):
    """A certification rule unless given a skill (with its min_level)."""

    class Meta:
        model = PartnerRule

    program = factory.SubFactory(PartnerProgramFactory)
    certification = factory.Maybe(
        "skill", yes_declaration=None, no_declaration=factory.SubFactory(CertificationFactory)
    )
    skill = None
    min_level = None
    min_technicians = 2
