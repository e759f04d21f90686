"""What each kind of file holds, how its rows are matched to what is saved (natural keys, DESIGN
"Getting data in and out") and what confirming it writes: the machinery in `base`, one module
per family of kinds, and here the registry.

`Kind.plan(records, context)` reads every row against the database without writing: each row
becomes new, changed (field, old → new), unchanged or error, with the writes it would make kept
as closures. `Plan.write()` runs them; agreements/imports/services.py wraps that in one
transaction and syncs the derived requirements once at the end.

The columns are django-import-export resources (clients/resources.py …), but the rows are not read
by its `Resource.import_data`: its dry run saves each row and rolls it back (history and signals
included), finds a saved row by the exact value of its id fields (a query a row by default), and
shows a row as an HTML diff of every field, where a preview writes nothing, matches natural keys
ignoring case with one query per kind, shows the changed fields as old → new, sums many rows into
one (an RMM inventory), lists unknown products to map, and refuses a key or a primary contact that
a file claims twice.
"""

from agreements.imports.kinds.agreements import AgreementsKind
from agreements.imports.kinds.base import Context, Kind, Plan
from agreements.imports.kinds.clients import ClientsKind, ContactsKind
from agreements.imports.kinds.environments import EnvironmentKind
from agreements.imports.kinds.partners import PartnerProgrammesKind, PartnerRulesKind
from agreements.imports.kinds.team import (
    CertificationsKind,
    TechnicianSkillsKind,
    TechniciansKind,
    TimeOffKind,
    WorkingHoursKind,
)
from agreements.imports.models import ImportKind

__all__ = ["IMPORT_ORDER", "KINDS", "Context", "Kind", "Plan"]

KINDS: dict[str, Kind] = {
    kind.key: kind
    for kind in (
        ClientsKind(),
        ContactsKind(),
        EnvironmentKind(),
        TechniciansKind(),
        TechnicianSkillsKind(),
        CertificationsKind(),
        TimeOffKind(),
        WorkingHoursKind(),
        AgreementsKind(),
        PartnerProgrammesKind(),
        PartnerRulesKind(),
    )
}
# The order in which a whole portfolio is imported: what a row names must exist first.
IMPORT_ORDER = [
    ImportKind.CLIENTS,
    ImportKind.CONTACTS,
    ImportKind.TECHNICIANS,
    ImportKind.ENVIRONMENT,
    ImportKind.TECHNICIAN_SKILLS,
    ImportKind.CERTIFICATIONS,
    ImportKind.AGREEMENTS,
    # The team's time needs only the technicians; last, so that the demo's numbered sample
    # files keep their numbers.
    ImportKind.TIME_OFF,
    ImportKind.WORKING_HOURS,
    # Partner programmes name the catalog's certifications and skills, and their rules the
    # programmes.
    ImportKind.PARTNER_PROGRAMMES,
    ImportKind.PARTNER_RULES,
]
