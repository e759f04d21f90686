"""A deterministic synthetic portfolio at MSP roll-up scale, to time the coverage engine.

With the team's time (DESIGN "Coverage through the support window"): technicians and clients
spread over four time zones, working hours rows for most technicians, time off inside the
warning window for 5 % of them, on-call rotas with members, hours and overrides, and 30 % of the
agreements on 12×5 or 24×7 support. The rotas cover those agreements as an MSP staffs its on-call
crews: each rota answers for a share of the skills and certifications, which its members hold
(at level 4 or 5, every version), and overrides hand a turn to another member of the crew.
`without_time()` takes the team's time away again inside a transaction, so that the same
portfolio can be evaluated without the time rules' data.

Every row it writes carries a marker (names starting with "Bench ", references starting with
"BENCH-") so that `clear()` removes exactly what `build()` wrote, and the coverage checks and
flags recorded over those rows. Rows are written with bulk_create in batches; history is not
recorded for them.
"""

import contextlib
import dataclasses
import datetime
import itertools
import random
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q

from agreements.coverage.models import (
    CheckedAgreement,
    CheckedDraft,
    CheckedEndOfSupport,
    CheckedRequirement,
    CheckedSkill,
    CoverageCheck,
    CoverageFlag,
)
from agreements.models import Agreement, AgreementService, Requirement
from clients.models import Client, ClientTechnology, Contact
from core.db import statistics_refresh
from skills.models import (
    Certification,
    OnCallMember,
    OnCallOverride,
    OnCallRota,
    OnCallRotaHours,
    Skill,
    SkillCategory,
    SkillVersion,
    Technician,
    TechnicianCertification,
    TechnicianSkill,
    TimeOff,
    TrainingGoal,
    WorkingHours,
)
from skills.weekly_patterns import parse_pattern

MARKER = "Bench "
REFERENCE_PREFIX = "BENCH-"
BATCH_SIZE = 5_000
CATEGORY_COUNT = 8
CERTIFICATION_COUNT = 40
CERTIFICATIONS_PER_TECHNICIAN = 3
# The team's time. The firm's zone (settings.TIME_ZONE) is the first of four when it is not
# one of the others.
OTHER_ZONES = ("America/Chicago", "America/Los_Angeles", "Europe/London")
# (weekly pattern or None for DEFAULT_WORKING_HOURS without rows, weight)
WORKING_HOURS = (
    ("Mon-Fri 09:00-17:00", 35),
    ("Mon-Fri 08:00-18:00", 25),
    ("Mon-Fri 07:00-15:00", 10),
    ("Mon-Wed 09:00-17:00", 5),
    ("Tue-Sat 10:00-18:00", 10),
    (None, 15),
)
# The hours of a rota with rows of its own; the others cover every slot outside the default
# working hours.
ROTA_HOURS = "Mon-Fri 00:00-08:00, Mon-Fri 18:00-24:00, Sat-Sun 00:00-24:00"
ROTA_MEMBERS = 6
OVERRIDES_PER_ROTA = 3
TIME_OFF_SHARE = 0.05
WINDOW_DAYS = 60  # time off is drawn inside D … D + WINDOW_DAYS − 1
# 12x5 and 24x7 together: 30 % of the agreements.
SUPPORT_HOURS = (
    (Agreement.SupportHours.BUSINESS, 70),
    (Agreement.SupportHours.EXTENDED, 15),
    (Agreement.SupportHours.ALWAYS, 15),
)


TIME_MODELS = (WorkingHours, TimeOff, OnCallRota, OnCallRotaHours, OnCallMember, OnCallOverride)


@dataclass(frozen=True)
class Sizes:
    clients: int = 10_000
    agreements: int = 30_000
    technicians: int = 1_000
    skills: int = 500
    requirements: int = 150_000
    technician_skills: int = 20_000
    rotas: int = 10

    def scaled(self, fraction: float) -> "Sizes":
        """These sizes times `fraction`, rounded, at least one of each."""
        return Sizes(
            **{
                size.name: max(1, round(getattr(self, size.name) * fraction))
                for size in dataclasses.fields(self)
            }
        )

    def as_built(self) -> "Sizes":
        """The sizes `build()` writes for these: a technician knows a skill at most once."""
        return dataclasses.replace(
            self, technician_skills=min(self.technician_skills, self.technicians * self.skills)
        )


def _bench_agreements():
    return Agreement.objects.filter(reference__startswith=REFERENCE_PREFIX)


def _bench_skills():
    return Skill.objects.filter(name__startswith=MARKER)


def _bench_technicians():
    return Technician.objects.filter(name__startswith=MARKER)


def _bench_rotas():
    return OnCallRota.objects.filter(name__startswith=MARKER)


def zones() -> tuple[str, ...]:
    """The four zones of the portfolio: the firm's first."""
    others = tuple(zone for zone in OTHER_ZONES if zone != settings.TIME_ZONE)
    return (settings.TIME_ZONE, *others)[:4]


def portfolio_sizes() -> Sizes:
    """The sizes of the bench portfolio in the database: all zero when there is none."""
    return Sizes(
        clients=Client.objects.filter(name__startswith=MARKER).count(),
        agreements=_bench_agreements().count(),
        technicians=Technician.objects.filter(name__startswith=MARKER).count(),
        skills=_bench_skills().count(),
        requirements=Requirement.objects.filter(agreement__in=_bench_agreements()).count(),
        technician_skills=TechnicianSkill.objects.filter(
            technician__name__startswith=MARKER
        ).count(),
        rotas=_bench_rotas().count(),
    )


def bench_checks():
    """The coverage checks of the bench portfolio alone: they evaluated bench rows and nothing
    else, and no nightly run sent them. A check that also evaluated other rows is kept."""
    agreements = _bench_agreements()
    skills = _bench_skills()
    own = OuterRef("pk")
    return (
        CoverageCheck.objects.filter(
            Exists(CheckedAgreement.objects.filter(coverage_check=own, agreement__in=agreements))
            | Exists(CheckedSkill.objects.filter(coverage_check=own, skill__in=skills))
        )
        .exclude(
            Exists(
                CheckedAgreement.objects.filter(coverage_check=own).exclude(
                    agreement__in=agreements
                )
            )
            | Exists(
                CheckedRequirement.objects.filter(coverage_check=own).exclude(
                    agreement__in=agreements
                )
            )
            | Exists(CheckedSkill.objects.filter(coverage_check=own).exclude(skill__in=skills))
        )
        .filter(run__isnull=True)
    )


def bench_rows(check_ids=()):
    """Querysets of every row the benchmark writes, children first (the order to delete in):
    with `check_ids`, the coverage checks to delete along with the bench rows' results."""
    clients = Client.objects.filter(name__startswith=MARKER)
    agreements = _bench_agreements()
    technicians = _bench_technicians()
    skills = _bench_skills()
    rotas = _bench_rotas()
    of_checks = Q(coverage_check__in=check_ids)
    return [
        CheckedRequirement.objects.filter(of_checks | Q(agreement__in=agreements)),
        CheckedAgreement.objects.filter(of_checks | Q(agreement__in=agreements)),
        CheckedSkill.objects.filter(of_checks | Q(skill__in=skills)),
        CheckedDraft.objects.filter(of_checks | Q(agreement__in=agreements)),
        CheckedEndOfSupport.objects.filter(of_checks | Q(client__in=clients)),
        CoverageFlag.objects.filter(agreement__in=agreements),
        CoverageCheck.objects.filter(pk__in=check_ids),
        Requirement.objects.filter(agreement__in=agreements),
        AgreementService.objects.filter(agreement__in=agreements),
        agreements,
        ClientTechnology.objects.filter(client__in=clients),
        Contact.objects.filter(client__in=clients),
        clients,
        TechnicianSkill.objects.filter(technician__in=technicians),
        TechnicianCertification.objects.filter(technician__in=technicians),
        TrainingGoal.objects.filter(technician__in=technicians),
        *_time_rows(technicians=technicians, rotas=rotas),
        rotas,
        technicians,
        SkillVersion.objects.filter(skill__in=skills),
        skills,
        Certification.objects.filter(name__startswith=MARKER),
        SkillCategory.objects.filter(name__startswith=MARKER),
    ]


def _time_rows(*, technicians, rotas):
    """The team's time of the bench rows, children first: what `without_time()` removes."""
    return [
        OnCallOverride.objects.filter(Q(rota__in=rotas) | Q(technician__in=technicians)),
        OnCallMember.objects.filter(Q(rota__in=rotas) | Q(technician__in=technicians)),
        OnCallRotaHours.objects.filter(rota__in=rotas),
        WorkingHours.objects.filter(technician__in=technicians),
        TimeOff.objects.filter(technician__in=technicians),
    ]


def _delete(cursor, queryset) -> int:
    """DELETE the rows of `queryset` in one statement (no signals, no history)."""
    model = queryset.model
    quote = connection.ops.quote_name
    try:
        ids_sql, params = queryset.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # e.g. no checks to delete: nothing can match
        return 0
    cursor.execute(
        f"DELETE FROM {quote(model._meta.db_table)} "
        f"WHERE {quote(model._meta.pk.column)} IN ({ids_sql})",
        params,
    )
    return cursor.rowcount


@contextlib.contextmanager
def without_time():
    """Inside: the bench portfolio without the team's time (no working hours, time off or
    rotas, every technician and client in the firm's zone); all of it comes back afterwards.

    The rows are deleted and the zones changed inside a transaction that is rolled back on the
    way out, so what runs inside must not commit (a nightly run inside rolls back with it)."""
    with transaction.atomic(), connection.cursor() as cursor:
        for queryset in [*_time_rows(technicians=_bench_technicians(), rotas=_bench_rotas())]:
            _delete(cursor, queryset)
        _delete(cursor, _bench_rotas())
        _bench_technicians().update(time_zone=settings.TIME_ZONE)
        Client.objects.filter(name__startswith=MARKER).update(time_zone=settings.TIME_ZONE)
        statistics_refresh(*TIME_MODELS, Technician, Client)
        try:
            yield
        finally:
            transaction.set_rollback(True)
    statistics_refresh(*TIME_MODELS, Technician, Client)


def clear():
    """Delete the benchmark's rows with plain DELETE statements; returns how many went.

    A queryset's delete() would load every row to send signals (and write a history row for
    each): far too slow for 150,000 requirements. The checks of the bench portfolio alone go
    too; other flags that name one of them forget it, as SET_NULL would.
    """
    deleted = 0
    with transaction.atomic(), connection.cursor() as cursor:
        check_ids = list(bench_checks().values_list("pk", flat=True))
        other_flags = CoverageFlag.objects.exclude(agreement__in=_bench_agreements())
        other_flags.filter(opened_by_check__in=check_ids).update(opened_by_check=None)
        other_flags.filter(resolved_by_check__in=check_ids).update(resolved_by_check=None)
        for queryset in bench_rows(check_ids):
            deleted += _delete(cursor, queryset)
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

        zone_names = zones()
        technicians = _insert(
            Technician, [_technician(rng, n, day, zone_names) for n in range(sizes.technicians)]
        )
        crews = _crews(rng, sizes, technicians)
        time_rows = _team_time(rng, sizes, technicians, day, zone_names, crews)
        technician_skills = _technician_skills(
            rng, sizes, technicians, skills, versions_by_skill, crews
        )
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
            for certification in _certifications_held(rng, technician, certifications, crews)
        ]
        _insert(TechnicianCertification, holdings)

        clients = _insert(
            Client,
            [
                Client(
                    name=f"{MARKER}client {n:05d}",
                    seats=rng.randint(5, 250),
                    time_zone=rng.choice(zone_names),
                )
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
    # Planned on the new rows' statistics, not autovacuum's in the middle of a measurement.
    statistics_refresh(
        *TIME_MODELS,
        SkillCategory,
        Skill,
        SkillVersion,
        Certification,
        Technician,
        TechnicianSkill,
        TechnicianCertification,
        Client,
        Agreement,
        Requirement,
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
        **time_rows,
    }


def _technician(rng, n, day, zone_names):
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
        time_zone=zone_names[n % len(zone_names)],
    )


def _crews(rng, sizes, technicians) -> list[list[Technician]]:
    """The members of each rota: active technicians who are staying, each in one crew while
    there are enough of them."""
    staying = [
        t for t in technicians if t.status == Technician.Status.ACTIVE and t.available_until is None
    ]
    pool = rng.sample(staying, len(staying))
    crews = []
    for _ in range(sizes.rotas):
        if len(pool) < ROTA_MEMBERS:
            pool = rng.sample(staying, len(staying))
        crews.append(pool[:ROTA_MEMBERS])
        pool = pool[ROTA_MEMBERS:]
    return crews


def _crew_share(items, crews, technician):
    """The skills or certifications a crew member answers for: their rota's every len(crews)-th
    item, for each rota they are on."""
    return [
        item
        for n, crew in enumerate(crews)
        if technician in crew
        for item in items[n :: len(crews)]
    ]


def _certifications_held(rng, technician, certifications, crews):
    return _crew_share(certifications, crews, technician) or rng.sample(
        certifications, CERTIFICATIONS_PER_TECHNICIAN
    )


def _team_time(rng, sizes, technicians, day, zone_names, crews) -> dict:
    """Working hours, time off and rotas (members, hours, overrides) of the bench technicians;
    returns how many of each were written."""
    patterns = {text: parse_pattern(text) for text, _ in WORKING_HOURS if text}
    texts = [text for text, _ in WORKING_HOURS]
    weights = [weight for _, weight in WORKING_HOURS]
    hours = []
    for technician in technicians:
        text = rng.choices(texts, weights=weights)[0]
        hours.extend(
            WorkingHours(technician=technician, **period.row_fields())
            for period in patterns.get(text, ())
        )
    _insert(WorkingHours, hours)

    away = rng.sample(technicians, round(len(technicians) * TIME_OFF_SHARE))
    time_off = []
    for technician in away:
        first_day = day + datetime.timedelta(days=rng.randint(0, WINDOW_DAYS - 1))
        time_off.append(
            TimeOff(
                technician=technician,
                first_day=first_day,
                last_day=first_day + datetime.timedelta(days=rng.randint(0, 9)),
                kind=rng.choice(TimeOff.Kind.values),
            )
        )
    _insert(TimeOff, time_off)

    monday = day - datetime.timedelta(days=day.weekday())
    rotas = []
    for n in range(1, sizes.rotas + 1):
        zone = zone_names[(n - 1) % len(zone_names)]
        first = monday - datetime.timedelta(weeks=rng.randint(1, 12))
        rotas.append(
            OnCallRota(
                name=f"{MARKER}rota {n:03d}",
                time_zone=zone,
                starts_at=datetime.datetime.combine(
                    first, datetime.time(9), tzinfo=zoneinfo.ZoneInfo(zone)
                ),
                rotation_days=rng.choice([7, 7, 7, 14]),
            )
        )
    rotas = _insert(OnCallRota, rotas)
    rota_hours = parse_pattern(ROTA_HOURS)
    hours_rows, members, overrides = [], [], []
    window_start = datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)
    for rota, chosen in zip(rotas, crews, strict=True):
        if rng.random() < 0.5:
            hours_rows.extend(
                OnCallRotaHours(rota=rota, **period.row_fields()) for period in rota_hours
            )
        members.extend(
            OnCallMember(rota=rota, technician=technician, position=position)
            for position, technician in enumerate(chosen)
        )
        for _ in range(OVERRIDES_PER_ROTA if chosen else 0):
            starts_at = window_start + datetime.timedelta(hours=rng.randint(0, WINDOW_DAYS * 24))
            overrides.append(
                OnCallOverride(
                    rota=rota,
                    technician=rng.choice(chosen),
                    starts_at=starts_at,
                    ends_at=starts_at + datetime.timedelta(hours=rng.choice([12, 24, 48])),
                )
            )
    _insert(OnCallRotaHours, hours_rows)
    _insert(OnCallMember, members)
    _insert(OnCallOverride, overrides)
    return {
        "working_hours": len(hours),
        "technicians_on_time_off": len(time_off),
        "rotas": len(rotas),
        "rota_members": len(members),
        "rota_overrides": len(overrides),
    }


def _technician_skills(rng, sizes, technicians, skills, versions_by_skill, crews):
    """sizes.as_built().technician_skills rows, each technician knowing distinct skills: the
    crews' members their rotas' shares, the others the rest spread evenly (when the crews'
    shares leave too few or too many rows for that, every technician is drawn alike)."""
    total = min(sizes.technician_skills, len(technicians) * len(skills))
    shares = {t.pk: _crew_share(skills, crews, t) for t in technicians}
    shares = {pk: share for pk, share in shares.items() if share}
    others = [t for t in technicians if t.pk not in shares]
    rest = total - sum(len(share) for share in shares.values())
    if not 0 <= rest <= len(others) * len(skills):
        shares, others, rest = {}, technicians, total
    rows = [
        TechnicianSkill(technician_id=pk, skill=skill, level=rng.choice([4, 5]))
        for pk, share in shares.items()
        for skill in share
    ]
    per_technician, extra = divmod(rest, max(len(others), 1))
    for index, technician in enumerate(others):
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
    agreement = Agreement(
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
        support_hours=rng.choices(
            [hours for hours, _ in SUPPORT_HOURS], weights=[weight for _, weight in SUPPORT_HOURS]
        )[0],
    )
    agreement.derived_dates_refresh()
    return agreement


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
