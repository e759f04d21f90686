"""Partner programmes (vendor and tier, renewal, yearly benefit) and their rules (a
certification or a skill at a level, and how many technicians): two files, the programmes
first, as the catalog's other data."""

from django.db.models.functions import Lower

from agreements.imports import cell_values
from agreements.imports.kinds.base import Column, ModelKind
from agreements.imports.models import ImportKind
from skills.models import Level, PartnerProgram, PartnerRule
from skills.resources import PartnerProgramResource, PartnerRuleResource

VENDOR = Column("vendor", True, ("vendor name", "manufacturer", "partner"))
TIER = Column(
    "tier", True, ("programme", "program", "partner tier", "partner level", "designation")
)


def programme_key(vendor: str, tier: str) -> tuple[str, str]:
    return (" ".join(vendor.split()).casefold(), " ".join(tier.split()).casefold())


class PartnerProgrammesKind(ModelKind):
    key = ImportKind.PARTNER_PROGRAMMES
    model = PartnerProgram
    resource_class = PartnerProgramResource
    what = "vendor and tier"
    keep_spelling = ("vendor", "tier")
    columns = (
        VENDOR,
        TIER,
        Column("renewal_date", synonyms=("renewal", "renews on", "anniversary", "review date")),
        Column(
            "yearly_benefit",
            synonyms=("benefit", "annual benefit", "value", "benefit per year", "discount value"),
        ),
        Column("notes", synonyms=("note", "comments")),
    )

    def export_rows(self):
        return PartnerProgram.objects.order_by(Lower("vendor"), Lower("tier"), "pk")

    def read_row(self, reader):
        new_values = {
            "vendor": reader.text("vendor", required=True, max_length=100),
            "tier": reader.text("tier", required=True, max_length=150),
        }
        if reader.has("renewal_date"):
            new_values["renewal_date"] = reader.date("renewal_date")
        if reader.has("yearly_benefit"):
            new_values["yearly_benefit"] = reader.read(
                "yearly_benefit", cell_values.money, required=True
            )
        if reader.has("notes"):
            new_values["notes"] = reader.text("notes")
        return new_values

    def natural_key(self, new_values):
        vendor, tier = new_values.get("vendor"), new_values.get("tier")
        return programme_key(vendor, tier) if vendor and tier else None

    def existing(self, keys):
        return {
            programme_key(programme.vendor, programme.tier): programme
            for programme in PartnerProgram.objects.all()
        }

    def display(self, new_values):
        return f"{new_values.get('vendor') or '?'} {new_values.get('tier') or '?'}"


class PartnerRulesKind(ModelKind):
    key = ImportKind.PARTNER_RULES
    model = PartnerRule
    resource_class = PartnerRuleResource
    what = "programme and certification or skill"
    columns = (
        VENDOR,
        TIER,
        Column("certification", synonyms=("certificate", "certification name", "exam")),
        Column("skill", synonyms=("skill name", "competency", "technology", "product")),
        Column("min_level", synonyms=("skill level", "minimum level", "at level")),
        Column(
            "min_technicians",
            True,
            ("people", "minimum technicians", "headcount", "count", "required", "minimum"),
        ),
    )

    def export_rows(self):
        return PartnerRule.objects.select_related("program", "certification", "skill").order_by(
            Lower("program__vendor"), Lower("program__tier"), "pk"
        )

    def read_row(self, reader):
        vendor = reader.text("vendor", required=True, max_length=100)
        tier = reader.text("tier", required=True, max_length=150)
        programme = None
        if vendor and tier:
            programmes = reader.context.lookup(
                "partner_programmes",
                lambda: {
                    programme_key(found.vendor, found.tier): found
                    for found in PartnerProgram.objects.all()
                },
            )
            programme = programmes.get(programme_key(vendor, tier))
            if programme is None:
                reader.fail(
                    "tier",
                    f"'{vendor[:50]} {tier[:80]}' is not a partner programme in Covered (import "
                    "the programmes first, or check the spelling)",
                )
        named_certification = reader.has("certification") and reader.text("certification")
        named_skill = reader.has("skill") and reader.text("skill")
        new_values = {"program": programme, "certification": None, "skill": None}
        if named_certification and named_skill:
            reader.fail("skill", "name a certification or a skill, not both")
        elif named_certification:
            new_values["certification"] = reader.certification()
        elif named_skill:
            new_values["skill"] = reader.skill()
        else:
            reader.fail("certification", "is empty: name a certification, or a skill and a level")
        level = None
        if reader.has("min_level"):
            level = reader.read(
                "min_level", lambda raw: cell_values.whole_number(raw, minimum=1, maximum=5)
            )
        if named_skill and not named_certification and level is None and not reader.errors:
            reader.fail("min_level", f"is empty: say the level of {named_skill[:80]} it asks for")
        new_values["min_level"] = level if named_skill and not named_certification else None
        new_values["min_technicians"] = reader.read(
            "min_technicians",
            lambda raw: cell_values.whole_number(raw, minimum=1, maximum=500),
            required=True,
        )
        return new_values

    def natural_key(self, new_values):
        programme = new_values.get("program")
        certification, skill = new_values.get("certification"), new_values.get("skill")
        if programme is None or (certification is None and skill is None):
            return None
        if certification is not None:
            return (programme.pk, "certification", certification.pk)
        return (programme.pk, "skill", skill.pk)

    def existing(self, keys):
        rules = PartnerRule.objects.filter(program_id__in={key[0] for key in keys})
        return {
            (rule.program_id, "certification", rule.certification_id)
            if rule.certification_id
            else (rule.program_id, "skill", rule.skill_id): rule
            for rule in rules.select_related("program", "certification", "skill")
        }

    def display(self, new_values):
        programme = new_values.get("program")
        certification, skill = new_values.get("certification"), new_values.get("skill")
        what = certification.name if certification else skill.name if skill else "?"
        level = new_values.get("min_level")
        if skill and level:
            what = f"{what} at level {Level(level).label}"
        return f"{programme or '?'}: {what}"
