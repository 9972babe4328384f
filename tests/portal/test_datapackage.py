"""The Data Package describes the files the server serves, and Frictionless agrees."""

import json

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils.html import escape
from frictionless import Package, validate

from portal.api.datapackage import describe
from portal.opendata import FIGURE_COLUMNS, LIST_FIELDS, MILESTONE_COLUMNS

pytestmark = pytest.mark.django_db


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def served(client, tmp_path):
    """/api/datapackage.json and the CSV files it names, as the server serves them."""
    package = client.get("/api/datapackage.json").json()
    (tmp_path / "datapackage.json").write_text(json.dumps(package, ensure_ascii=False))
    for resource in package["resources"]:
        response = client.get(f"/api/{resource['path']}")
        assert response.status_code == 200
        (tmp_path / resource["path"]).write_bytes(body(response))
    return tmp_path, package


def test_the_served_files_validate_against_the_served_package(served):
    folder, _package = served
    report = validate(str(folder / "datapackage.json"))
    errors = [(task.name, error.type, error.note) for task in report.tasks for error in task.errors]
    assert report.valid, errors
    assert {task.name: task.stats["rows"] for task in report.tasks}["pledges"] == 6


def test_the_package_checks_keys_so_a_broken_file_fails(served):
    folder, package = served
    figures = folder / "figures.csv"
    lines = figures.read_text(encoding="utf-8-sig").splitlines()
    lines.append(lines[1])  # the same cell twice: the primary key is broken
    lines.append(lines[1].replace("12-1,", "12-99,", 1))  # a pledge that is not in pledges.csv
    figures.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")
    report = validate(str(folder / "datapackage.json"))
    types = {error.type for task in report.tasks for error in task.errors}
    assert not report.valid
    assert {"primary-key", "foreign-key"} <= types


def test_every_column_served_is_described_with_type_and_meaning():
    package = Package.from_descriptor(describe())
    columns = {
        "pledges": LIST_FIELDS,
        "figures": FIGURE_COLUMNS,
        "milestones": MILESTONE_COLUMNS,
    }
    for resource in package.resources:
        fields = resource.schema.fields
        assert [f.name for f in fields] == columns[resource.name]
        assert all(f.type != "any" and f.description for f in fields)
    amount = package.get_resource("figures").schema.get_field("amount")
    assert (amount.type, amount.to_dict()["unit"]) == ("integer", "백만원")
    assert describe()["licenses"] and len(describe()["sources"]) == 2


def test_the_data_dictionary_page_is_rendered_from_the_same_description(client):
    page = client.get("/data-dictionary/").content.decode()
    assert "데이터 사전" in page
    for resource in describe()["resources"]:
        assert f"/api/{resource['path']}" in page
        for field in resource["schema"]["fields"]:
            assert f"<code>{field['name']}</code>" in page
            assert escape(field["description"]) in page


def test_the_package_states_profile_version_created_homepage_and_utf_8(client):
    package = client.get("/api/datapackage.json").json()
    assert package["profile"] == "tabular-data-package"
    assert package["version"].startswith("1.0.") and package["created"]
    assert package["homepage"] == "http://testserver/data-dictionary/"
    for resource in package["resources"]:
        assert resource["encoding"] == "utf-8" and "BOM" in resource["description"]
        assert resource["profile"] == "tabular-data-resource"


def test_the_licence_is_unconfirmed_until_the_city_sets_a_kogl_type(settings):
    assert [lic["name"] for lic in describe()["licenses"]] == ["LicenseRef-unconfirmed"]
    settings.DATA_LICENSE = "KOGL-Type1"
    (licence,) = describe()["licenses"]
    assert licence["name"] == "KOGL-Type1" and "출처표시" in licence["title"]
    assert licence["path"].startswith("https://www.kogl.or.kr/")
    settings.DATA_LICENSE = "CC-BY-4.0"
    with pytest.raises(ImproperlyConfigured, match="KOGL-Type1"):
        describe()


def test_every_file_carries_the_term_number_and_name(client):
    for url in ("/api/pledges.csv", "/api/figures.csv", "/api/milestones.csv"):
        lines = body(client.get(url)).decode("utf-8-sig").splitlines()
        header, first = lines[0].split(","), lines[1].split(",")
        assert first[header.index("term")] == "민선8기", url
        assert first[header.index("term_number")] == "8", url
    row = client.get("/api/pledges/").json()["results"][0]
    assert (row["term"], row["term_number"]) == ("민선8기", 8)


def test_the_workbooks_booleans_are_booleans(client):
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(body(client.get("/api/figures.xlsx")))).active
    header = [cell.value for cell in sheet[1]]
    inferred = {row[header.index("stage_inferred")] for row in sheet.iter_rows(2, values_only=True)}
    assert inferred <= {True, False} and inferred
