from django import forms
from django.conf import settings

from agreements.imports.kinds import KINDS
from agreements.imports.models import ImportKind, ImportMappingPreset
from clients.models import Client
from core.bounds import ID_MAX
from core.validators import refuse_control_characters
from skills.models import Skill, SkillVersion

DATE_ORDERS = [
    ("mdy", "Month first: 03/04/2026 is 4 Mar 2026"),
    ("dmy", "Day first: 03/04/2026 is 3 Apr 2026"),
]


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="The file holds", choices=ImportKind.choices)
    file = forms.FileField(
        label="File",
        help_text="CSV (comma or semicolon, UTF-8 or Windows-1252) or Excel (.xlsx).",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )
    date_order = forms.ChoiceField(
        label="Dates written like 03/04/2026",
        choices=DATE_ORDERS,
        help_text="YYYY-MM-DD dates read the same either way.",
    )
    preset = forms.ModelChoiceField(
        label="Column mapping preset",
        queryset=ImportMappingPreset.objects.all(),
        required=False,
        empty_label="Recognise the columns (or use the preset saved for these columns)",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date_order"].initial = settings.IMPORT_DATE_ORDER

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size / 1024 / 1024:.1f} MB; files of at most "
                f"{settings.IMPORT_MAX_BYTES // 1024 // 1024} MB can be imported."
            )
        return upload


class OptionsForm(forms.Form):
    """The preview's choices: which column holds which field, the date order, replacing."""

    date_order = forms.ChoiceField(
        label="Dates written like 03/04/2026",
        choices=DATE_ORDERS,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    replace_environment = forms.BooleanField(
        label="Replace this client's environment: remove what the file does not list",
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, batch, **kwargs):
        super().__init__(*args, **kwargs)
        kind = KINDS[batch.kind]
        choices = [("", "— not imported —"), *kind.headers().items()]
        for index, header in enumerate(batch.preview.get("headers", [])):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=header or f"Column {index + 1}",
                choices=choices,
                required=False,
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
        if batch.kind != ImportKind.ENVIRONMENT:
            del self.fields["replace_environment"]

    def column_fields(self):
        return [self[name] for name in self.fields if name.startswith("column_")]

    def mapping(self) -> list[str]:
        return [self.cleaned_data[name] for name in self.fields if name.startswith("column_")]


def skill_version_choices():
    choices = []
    for skill in Skill.objects.prefetch_related("versions").order_by("name"):
        options = [(f"{skill.pk}:", f"{skill.name} (version from the file)")]
        options += [
            (f"{skill.pk}:{version.pk}", f"{skill.name} {version.label}")
            for version in skill.versions.all()
        ]
        choices.append((skill.name, options))
    return choices


class ProductMapForm(forms.Form):
    name = forms.CharField(max_length=200, widget=forms.HiddenInput)
    target = forms.ChoiceField(label="Is", choices=())

    def __init__(self, *args, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [("", "Choose a skill"), *(choices or [])]

    def skill_and_version(self):
        skill_id, _, version_id = self.cleaned_data["target"].partition(":")
        skill = Skill.objects.get(pk=int(skill_id))
        version = skill.versions.filter(pk=int(version_id)).first() if version_id else None
        return skill, version


class PresetForm(forms.Form):
    name = forms.CharField(
        label="Save this mapping as",
        max_length=100,
        validators=[refuse_control_characters],
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


class VersionChoiceForm(forms.Form):
    """What to do with the rows of a product whose version the catalog does not know: read
    them as one of the skill's versions (remembered), import them without a version, or leave
    them out."""

    WITHOUT, LEAVE_OUT = "without", "leave-out"

    name = forms.CharField(max_length=200, widget=forms.HiddenInput)
    version_label = forms.CharField(max_length=200, widget=forms.HiddenInput)
    skill = forms.IntegerField(min_value=1, max_value=ID_MAX, widget=forms.HiddenInput)
    choice = forms.ChoiceField(label="Read as", choices=())

    def __init__(self, *args, versions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["choice"].choices = [
            ("", "Choose"),
            *((str(version.pk), f"Version {version.label}") for version in versions),
            (self.WITHOUT, "Import without a version"),
            (self.LEAVE_OUT, "Leave out"),
        ]

    @classmethod
    def bound(cls, data):
        """The form for a POST, its version choices those of the skill it names."""
        try:
            skill = Skill.objects.get(pk=int(data.get("skill", "")))
        except (ValueError, Skill.DoesNotExist):
            return cls(data)
        return cls(data, versions=skill.versions.all())

    def chosen_version(self):
        choice = self.cleaned_data["choice"]
        if choice in (self.WITHOUT, self.LEAVE_OUT):
            return None
        return SkillVersion.objects.get(pk=int(choice), skill_id=self.cleaned_data["skill"])


class ClientChoiceForm(forms.Form):
    """What to do with the rows of a client name Covered does not know: read it as an
    existing client (remembered), create the client, or leave its rows out."""

    CREATE, LEAVE_OUT = "create", "leave-out"

    name = forms.CharField(max_length=150, widget=forms.HiddenInput)
    choice = forms.ChoiceField(label="Is", choices=())

    def __init__(self, *args, clients=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["choice"].choices = [
            ("", "Choose"),
            (self.CREATE, "A new client with this name"),
            (self.LEAVE_OUT, "Leave out"),
            ("Existing clients", [(str(client.pk), client.name) for client in clients]),
        ]

    def chosen_client(self):
        choice = self.cleaned_data["choice"]
        if choice in (self.CREATE, self.LEAVE_OUT):
            return None
        return Client.objects.get(pk=int(choice))
