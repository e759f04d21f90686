"""Shared data of the coverage tests: a small book of agreements checked two nights running."""

import datetime
from decimal import Decimal

import pytest
import time_machine

from agreements.coverage.runs import coverage_run_execute
from skills.models import Technician, TrainingGoal
from tests.agreements.factories import AgreementFactory, RequirementFactory
from tests.clients.factories import ClientFactory
from tests.skills.factories import (
    CertificationFactory,
    SkillFactory,
    TechnicianCertificationFactory,
    TechnicianFactory,
    TechnicianSkillFactory,
    TrainingGoalFactory,
)

DAY = datetime.date(2026, 11, 26)
PREVIOUS_DAY = DAY - datetime.timedelta(days=1)
NIGHT = datetime.datetime(2026, 11, 26, 7, 0, tzinfo=datetime.UTC)  # 02:00 in New York
PREVIOUS_NIGHT = NIGHT - datetime.timedelta(days=1)


def days(n):
    return DAY + datetime.timedelta(days=n)


@pytest.fixture
def book():
    """$165,000 a year: one agreement uncovered ($25,000), one at risk ($16,000), one covered.

    Run the day before (a flag that stays open, one resolved since) and on DAY (a new flag).
    """
    dana = TechnicianFactory(name="Dana Ortiz")
    lee = TechnicianFactory(name="Lee Park")
    sam = TechnicianFactory(name="Sam Reyes")

    exchange, cisco, windows, veeam, sonicwall = (
        SkillFactory(name=name)
        for name in ("Exchange", "Cisco IOS", "Windows 11", "Veeam", "SonicWall")
    )
    email = AgreementFactory(
        reference="AGR-2026-0001",
        title="Managed email",
        client=ClientFactory(name="Smith & Jones LLP"),
        annual_value=Decimal("25000.00"),
    )
    network = AgreementFactory(
        reference="AGR-2026-0002",
        title="Network care",
        client=ClientFactory(name="Harbor Dental"),
        annual_value=Decimal("16000.00"),
    )
    desktops = AgreementFactory(
        reference="AGR-2026-0003",
        title="Desktop support",
        client=ClientFactory(name="Pine Accounting"),
        annual_value=Decimal("124000.00"),
        end_date=days(100),
        notice_days=60,
    )
    RequirementFactory(agreement=email, skill=exchange, min_technicians=2)
    RequirementFactory(agreement=network, skill=cisco, min_technicians=2)
    RequirementFactory(agreement=desktops, skill=windows, min_technicians=2)
    RequirementFactory(agreement=desktops, skill=veeam, min_technicians=1)
    RequirementFactory(agreement=desktops, skill=sonicwall, min_technicians=1)

    for technician in (dana, sam):
        TechnicianSkillFactory(technician=technician, skill=cisco, level=4)
    for technician in (lee, sam):
        TechnicianSkillFactory(technician=technician, skill=windows, level=3)
    TechnicianSkillFactory(technician=lee, skill=veeam, level=5)

    with time_machine.travel(PREVIOUS_NIGHT, tick=False):
        coverage_run_execute(run_date=PREVIOUS_DAY)

    # Overnight: Sam leaves, so Cisco IOS rests on Dana alone; Kim joins and keeps Windows 11
    # covered; Dana learns SonicWall, which resolves its flag.
    Technician.objects.filter(pk=sam.pk).update(status=Technician.Status.DEPARTED)
    TechnicianSkillFactory(technician=TechnicianFactory(name="Kim Chen"), skill=windows, level=4)
    TechnicianSkillFactory(technician=dana, skill=sonicwall, level=3)

    mcp = CertificationFactory(name="MCP", is_baseline=True)
    ccna = CertificationFactory(name="CCNA")
    TechnicianCertificationFactory(technician=dana, certification=mcp)
    TechnicianCertificationFactory(technician=dana, certification=ccna, expires_on=days(30))
    TechnicianCertificationFactory(technician=lee, certification=ccna, expires_on=days(90))
    TechnicianCertificationFactory(
        technician=lee, certification=mcp, earned_on=datetime.date(2020, 1, 1), expires_on=days(-1)
    )

    TrainingGoalFactory(technician=lee, skill=exchange, due_date=days(10), reason="Backup")
    TrainingGoalFactory(
        technician=dana, skill=exchange, due_date=days(-5), status=TrainingGoal.Status.IN_PROGRESS
    )
    TrainingGoalFactory(technician=dana, skill=veeam, due_date=days(30))
    TrainingGoalFactory(technician=dana, skill=windows, due_date=days(-1), status="done")
    TrainingGoalFactory(technician=lee, skill=cisco, due_date=days(2), status="cancelled")

    with time_machine.travel(NIGHT, tick=False):
        run = coverage_run_execute(run_date=DAY)
    return {"run": run, "email": email}
