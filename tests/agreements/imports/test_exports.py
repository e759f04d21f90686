"""Every list downloads its filtered rows as CSV (UTF-8 with BOM) and XLSX in the import's own
columns, formula-looking cells neutralised; the pages keep their query counts."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.agreements.factories import AgreementFactory
from tests.clients.factories import ClientFactory, ClientTechnologyFactory, ContactFactory
from tests.skills.factories import TechnicianFactory, TechnicianSkillFactory

pytestmark = pytest.mark.django_db


def csv_text(response) -> str:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return b"".join(response.streaming_content).decode("utf-8")


def xlsx_rows(response) -> list:
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_client_list_downloads_its_filtered_clients(consultant_client):
    tomas = ClientFactory(name="Tomás Dental", seats=12, status="active")
    ContactFactory(client=tomas, name="Ana Ruiz", email="ana@tomas.example", is_primary=True)
    ClientFactory(name="Former Co", status="former")
    url = reverse("clients:list")
    body = csv_text(consultant_client.get(url, {"status": "active", "export": "csv"}))
    assert body.splitlines() == [
        "\ufeffName,Status,Industry,Seats,Phone,Email,Website,Address,Time zone,Primary contact,"
        "Primary contact email,Primary contact phone,Notes",
        "Tomás Dental,active,Professional services,12,,,,,America/New_York,Ana Ruiz,"
        "ana@tomas.example,,",
    ]
    rows = xlsx_rows(consultant_client.get(url, {"status": "active", "export": "xlsx"}))
    assert rows[1][:4] == ["Tomás Dental", "active", "Professional services", "12"]
    contacts = csv_text(consultant_client.get(url, {"export": "csv", "rows": "contacts"}))
    assert contacts.splitlines()[1] == "Tomás Dental,Ana Ruiz,ana@tomas.example,,,yes"


def test_formula_cells_are_neutralised(consultant_client):
    ClientFactory(name="=HYPERLINK(evil)", industry="+1 dial")
    body = csv_text(consultant_client.get(reverse("clients:list"), {"export": "csv"}))
    assert "'=HYPERLINK(evil),active,'+1 dial" in body
    rows = xlsx_rows(consultant_client.get(reverse("clients:list"), {"export": "xlsx"}))
    assert rows[1][0] == "'=HYPERLINK(evil)"


def test_client_environment_downloads(consultant_client, exchange_2016):
    technology = ClientTechnologyFactory(
        skill=exchange_2016.skill, version=exchange_2016, quantity=3
    )
    url = reverse("clients:detail", args=[technology.client.pk])
    body = csv_text(consultant_client.get(url, {"export": "csv"}))
    assert body.splitlines()[1] == f"{technology.client.name},{exchange_2016.skill.name},2016,3,"


def test_technician_list_downloads_technicians_skills_and_certifications(consultant_client):
    skill = TechnicianSkillFactory(technician=TechnicianFactory(name="Dana", email="d@x.example"))
    url = reverse("skills:technician_list")
    assert csv_text(consultant_client.get(url, {"export": "csv"})).splitlines()[1] == (
        "Dana,d@x.example,active,,America/New_York,"
    )
    skills = csv_text(consultant_client.get(url, {"export": "csv", "rows": "skills"}))
    assert skills.splitlines()[1] == f"d@x.example,{skill.skill.name},3,,,"
    certifications = consultant_client.get(url, {"export": "xlsx", "rows": "certifications"})
    assert xlsx_rows(certifications)[0][0] == "Technician email"


def test_agreement_and_flag_lists_download(consultant_client):
    agreement = AgreementFactory()
    body = csv_text(consultant_client.get(reverse("agreements:list"), {"export": "csv"}))
    assert body.splitlines()[1].startswith(f"{agreement.reference},{agreement.client.name},")
    flags = csv_text(consultant_client.get(reverse("coverage:flag_list"), {"export": "csv"}))
    assert flags.splitlines()[0].startswith("\ufeffAgreement,Client,Requirement,Status")


def test_matrix_downloads_as_xlsx(consultant_client):
    response = consultant_client.get(reverse("coverage:matrix_csv"), {"format": "xlsx"})
    assert xlsx_rows(response)[0][:2] == ["Category", "Skill"]


def test_an_unknown_download_is_not_found(consultant_client):
    url = reverse("clients:list")
    assert consultant_client.get(url, {"export": "pdf"}).status_code == 404
    assert consultant_client.get(url, {"export": "csv", "rows": "x"}).status_code == 404
