"""A deterministic synthetic portfolio at MSP roll-up scale, to time the coverage engine.

Every row it writes carries a marker (names starting with "Bench ", references starting with
"BENCH-") so that `clear()` removes exactly what `build()` wrote. Rows are written with
bulk_create in batches; history is not recorded for them.
"""

import datetime
import itertools
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction

from agreements.models import Agreement, AgreementService, CoverageFlag, Requirement
from clients.models import Client, ClientTechnology, Contact
from skills.models import (
    Certification,
    Skill,
    SkillCategory,
    SkillVersion,
    Technician,
    TechnicianCertification,
    TechnicianSkill,
    TrainingGoal,
)

MARKER = "Bench "
REFERENCE_PREFIX = "BENCH-"
BATCH_SIZE = 5_000
CATEGORY_COUNT = 8
CERTIFICATION_COUNT = 40
CERTIFICATIONS_PER_TECHNICIAN = 3


@dataclass(frozen=True)
class Sizes:
    clients: int = 10_000
    agreements: int = 30_000
    technicians: int = 1_000
    skills: int = 500
    requirements: int = 150_000
    technician_skills: int = 20_000


def bench_rows():
    """Querysets of every row the benchmark writes, children first (the order to delete in)."""
    clients = Client.objects.filter(name__startswith=MARKER)
    agreements = Agreement.objects.filter(reference__startswith=REFERENCE_PREFIX)
    technicians = Technician.objects.filter(name__startswith=MARKER)
    skills = Skill.objects.filter(name__startswith=MARKER)
    return [
        CoverageFlag.objects.filter(agreement__in=agreements),
        Requirement.objects.filter(agreement__in=agreements),
        AgreementService.objects.filter(agreement__in=agreements),
        agreements,
        ClientTechnology.objects.filter(client__in=clients),
        Contact.objects.filter(client__in=clients),
        clients,
        TechnicianSkill.objects.filter(technician__in=technicians),
        TechnicianCertification.objects.filter(technician__in=technicians),
        TrainingGoal.objects.filter(technician__in=technicians),
        technicians,
        SkillVersion.objects.filter(skill__in=skills),
        skills,
        Certification.objects.filter(name__startswith=MARKER),
        SkillCategory.objects.filter(name__startswith=MARKER),
    ]


def clear():
    """Delete the benchmark's rows with plain DELETE statements; returns how many went.

    A queryset's delete() would load every row to send signals (and write a history row for
    each): far too slow for 150,000 requirements.
    """
    deleted = 0
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        for queryset in bench_rows():
            model = queryset.model
            ids_sql, params = queryset.order_by().values("pk").query.sql_with_params()
            cursor.execute(
                f"DELETE FROM {quote(model._meta.db_table)} "
                f"WHERE {quote(model._meta.pk.column)} IN ({ids_sql})",
                params,
            )
            deleted += cursor.rowcount
    return deleted


def _insert(model, rows):
    return model.objects.bulk_create(rows, batch_size=BATCH_SIZE)


def build(*, sizes: Sizes, day: datetime.date, seed: int = 2026) -> dict:
    """Write the synthetic portfolio around `day`; returns the row counts written."""
    rng = random.Random(seed)
    with transaction.atomic():
        categories = _insert(
            SkillCategory,
            [SkillCategory(name=f"{MARKER}category {n}") for n in range(1, CATEGORY_COUNT + 1)],
        )
        skills = _insert(
            Skill,
            [
                Skill(name=f"{MARKER}skill {n:04d}", category=rng.choice(categories))
                for n in range(1, sizes.skills + 1)
            ],
        )
        versions_by_skill = {}
        version_rows = []
        for skill in skills:
            for rank in range(1, rng.randint(1, 8) + 1):
                version_rows.append(SkillVersion(skill=skill, label=f"v{rank}", rank=rank))
        for version in _insert(SkillVersion, version_rows):
            versions_by_skill.setdefault(version.skill_id, []).append(version)
        certifications = _insert(
            Certification,
            [
                Certification(
                    name=f"{MARKER}certification {n:03d}",
                    validity_months=rng.choice([None, 24, 36]),
                    is_baseline=n <= 2,
                )
                for n in range(1, CERTIFICATION_COUNT + 1)
            ],
        )

        technicians = _insert(
            Technician, [_technician(rng, n, day) for n in range(sizes.technicians)]
        )
        technician_skills = _technician_skills(rng, sizes, technicians, skills, versions_by_skill)
        _insert(TechnicianSkill, technician_skills)
        holdings = [
            TechnicianCertification(
                technician=technician,
                certification=certification,
                earned_on=day - datetime.timedelta(days=800),
                expires_on=(
                    None
                    if rng.random() < 0.3
                    else day + datetime.timedelta(days=rng.randint(-200, 700))
                ),
            )
            for technician in technicians
            for certification in rng.sample(certifications, CERTIFICATIONS_PER_TECHNICIAN)
        ]
        _insert(TechnicianCertification, holdings)

        clients = _insert(
            Client,
            [
                Client(name=f"{MARKER}client {n:05d}", seats=rng.randint(5, 250))
                for n in range(1, sizes.clients + 1)
            ],
        )
        agreements = _insert(
            Agreement,
            [_agreement(rng, n, clients, day) for n in range(1, sizes.agreements + 1)],
        )
        requirement_count = _requirements(
            rng, sizes, agreements, skills, versions_by_skill, certifications
        )
    return {
        "clients": len(clients),
        "agreements": len(agreements),
        "active_agreements": Agreement.objects.filter(reference__startswith=REFERENCE_PREFIX)
        .active_on(day)
        .count(),
        "technicians": len(technicians),
        "skills": len(skills),
        "skill_versions": len(version_rows),
        "requirements": requirement_count,
        "technician_skills": len(technician_skills),
        "technician_certifications": len(holdings),
    }


def _technician(rng, n, day):
    status = rng.choices(
        [Technician.Status.ACTIVE, Technician.Status.ON_LEAVE, Technician.Status.DEPARTED],
        weights=[90, 5, 5],
    )[0]
    leaving = rng.random() < 0.05
    return Technician(
        name=f"{MARKER}technician {n + 1:04d}",
        email=f"bench.technician{n + 1:04d}@bench.invalid",
        status=status,
        available_until=day + datetime.timedelta(days=rng.randint(1, 120)) if leaving else None,
    )


def _technician_skills(rng, sizes, technicians, skills, versions_by_skill):
    """About sizes.technician_skills rows, each technician knowing distinct skills."""
    per_technician, extra = divmod(sizes.technician_skills, max(len(technicians), 1))
    rows = []
    for index, technician in enumerate(technicians):
        count = min(per_technician + (index < extra), len(skills))
        for skill in rng.sample(skills, count):
            versions = versions_by_skill[skill.pk]
            oldest = newest = None
            if rng.random() < 0.5:
                low, high = sorted(rng.choices(range(len(versions)), k=2))
                oldest = versions[low] if rng.random() < 0.8 else None
                newest = versions[high] if rng.random() < 0.8 else None
            rows.append(
                TechnicianSkill(
                    technician=technician,
                    skill=skill,
                    level=rng.choices([1, 2, 3, 4, 5], weights=[10, 20, 35, 25, 10])[0],
                    oldest_version=oldest,
                    newest_version=newest,
                )
            )
    return rows


def _agreement(rng, n, clients, day):
    start = day - datetime.timedelta(days=rng.randint(-30, 1000))
    end = None if rng.random() < 0.5 else start + datetime.timedelta(days=rng.randint(365, 1500))
    return Agreement(
        client=clients[(n - 1) % len(clients)],
        reference=f"{REFERENCE_PREFIX}{n:07d}",
        title=f"{MARKER}managed services {n}",
        status=rng.choices(
            [Agreement.Status.ACTIVE, Agreement.Status.DRAFT, Agreement.Status.EXPIRED],
            weights=[85, 10, 5],
        )[0],
        start_date=start,
        end_date=end,
        annual_value=Decimal(rng.randint(12, 1200) * 100),
    )


def _requirements(rng, sizes, agreements, skills, versions_by_skill, certifications):
    """Spread sizes.requirements over the agreements; popular skills come up more often."""
    per_agreement, extra = divmod(sizes.requirements, max(len(agreements), 1))
    popularity = list(itertools.accumulate(1 / (rank + 10) for rank in range(len(skills))))
    batch, written = [], 0
    for index, agreement in enumerate(agreements):
        count = per_agreement + (index < extra)
        for skill in rng.choices(skills, cum_weights=popularity, k=count):
            certification = rng.choice(certifications) if rng.random() < 0.15 else None
            if certification is not None and rng.random() < 0.6:
                skill = None
            version = None
            if skill is not None and rng.random() < 0.6:
                version = rng.choice(versions_by_skill[skill.pk])
            batch.append(
                Requirement(
                    agreement=agreement,
                    skill=skill,
                    version=version,
                    certification=certification,
                    min_level=rng.choice([2, 3, 3, 4]),
                    min_technicians=rng.choice([1, 2, 2, 3]),
                    source=Requirement.Source.MANUAL,
                )
            )
        if len(batch) >= BATCH_SIZE:
            written += len(_insert(Requirement, batch))
            batch = []
    return written + len(_insert(Requirement, batch))
