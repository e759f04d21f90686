"""The connection's form (its credentials write-only: a saved one is never shown, a blank field
keeps it) and the mappings of the vendor's names, with suggestions."""

import difflib

from django import forms

from agreements.connectors.models import SYNC_CHOICES, Connection
from agreements.models import Service
from skills.models import Certification, Skill

SAVED_HELP = "Saved — enter a new value to replace it."
LEAVE_OUT = "0"


class ConnectionForm(forms.ModelForm):
    syncs = forms.MultipleChoiceField(
        choices=SYNC_CHOICES, widget=forms.CheckboxSelectMultiple, label="What it syncs"
    )

    class Meta:
        model = Connection
        fields = ["name", "base_url", "syncs", "schedule_enabled", "schedule_time"]
        widgets = {"schedule_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        vendor = Connection(kind=kind).vendor
        offered = [(key, label) for key, label in SYNC_CHOICES if key in vendor.syncs]
        self.fields["syncs"].choices = offered
        if not self.instance.pk and not self.initial.get("syncs"):
            self.initial["syncs"] = [key for key, _ in offered]
        saved = bool(self.instance.pk)
        for key, label in vendor.credential_fields:
            widget = (
                forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"})
                if key in vendor.secret_keys
                else forms.TextInput(attrs={"autocomplete": "off"})
            )
            self.fields[f"credential_{key}"] = forms.CharField(
                label=label,
                required=not saved,
                max_length=500,
                widget=widget,
                help_text=SAVED_HELP if saved else "",
            )
            # Never shown again: not even a non-secret key goes back into the page.
            self.initial[f"credential_{key}"] = ""

    def credentials(self) -> dict[str, str]:
        return {
            name.removeprefix("credential_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("credential_") and value
        }

    def fields_to_save(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


def suggestion(name: str, choices: dict[str, int]) -> int | None:
    """The id of the choice whose name is closest to `name`, when close enough."""
    wanted = name.casefold()
    lowered = {label.casefold(): pk for label, pk in choices.items()}
    if wanted in lowered:
        return lowered[wanted]
    # "Backup" → "Backup & Disaster Recovery": one name holds the other as its first words.
    holding = [label for label in lowered if label.startswith(wanted) or wanted.startswith(label)]
    if len(holding) == 1:
        return lowered[holding[0]]
    found = difflib.get_close_matches(wanted, list(lowered), n=1, cutoff=0.6)
    return lowered[found[0]] if found else None


VOCABULARIES = {
    # vocabulary of Records.names: (mapping key, title, what it maps to)
    "agreement_types": ("services", "Agreement types → services", Service),
    "additions": ("services", "Additions and products → services", Service),
    "skills": ("skills", "Skills → skills", Skill),
    "skill_levels": ("skill_levels", "Skill levels → 1–5", None),
    "certifications": ("certifications", "Certifications → certifications", Certification),
}


class MappingsForm(forms.Form):
    """One choice per vendor name the last sync saw; suggested from the closest name."""

    def __init__(self, *args, connection: Connection, names: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for vocabulary, (key, title, model) in VOCABULARIES.items():
            seen = names.get(vocabulary) or {}
            if not seen:
                continue
            if model is None:
                options = [(str(level), str(level)) for level in range(1, 6)]
                by_name = {str(level): level for level in range(1, 6)}
            else:
                targets = list(model.objects.order_by("name").values_list("pk", "name"))
                options = [(str(pk), name) for pk, name in targets]
                by_name = {name: pk for pk, name in targets}
            choices = [("", "— not mapped —"), (LEAVE_OUT, "Leave out"), *options]
            saved = connection.mappings.get(key, {})
            for index, (name, count) in enumerate(
                sorted(seen.items(), key=lambda i: (-i[1], i[0]))
            ):
                field_name = f"{vocabulary}-{index}"
                current = saved.get(name)
                suggested = None if current is not None else suggestion(name, by_name)
                self.fields[field_name] = forms.ChoiceField(
                    choices=choices, required=False, label=name
                )
                self.initial[field_name] = str(current if current is not None else suggested or "")
                self.rows.append(
                    {
                        "vocabulary": vocabulary,
                        "title": title,
                        "key": key,
                        "name": name,
                        "count": count,
                        "field": field_name,
                        "suggested": suggested is not None,
                    }
                )

    def mappings(self) -> dict:
        chosen: dict[str, dict] = {}
        for row in self.rows:
            value = self.cleaned_data.get(row["field"])
            if value not in (None, ""):
                chosen.setdefault(row["key"], {})[row["name"]] = int(value)
        return chosen
