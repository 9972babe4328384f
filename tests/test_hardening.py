"""Hardening III (issue 25): what an attacker or a careless insider tried, as a matrix of
role × route × payload, so the next change cannot reopen it."""

import functools
import io
import re
import zipfile
from urllib.parse import quote

import feedparser
import openpyxl
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from budgets.forms import AmountField
from budgets.models import BudgetFigure
from budgets.resources import ImportRefused, SafeXLSX
from departments.models import Department, Official, Role
from departments.services import department_save
from pledges.cache import public_version
from pledges.models import Milestone, Pledge, PledgeOfficial, Project, Stage
from pledges.services import pledge_save
from publications.models import Publication
from publications.services import publication_publish
from tests.admin_forms import change_form_data
from tests.budgets.test_import_export import (
    CSV,
    GOOD_ROWS,
    HEADER,
    csv_file,
    dry_run,
    xlsx_file,
)
from tests.factories import auditor, department_staff, make_user, reviewer

pytestmark = pytest.mark.django_db

MARKUP = "<img src=x onerror=alert(1)>"


def _feed(client):
    response = client.get("/feed/")
    assert response.status_code == 200
    # A reader that trusts the feed's HTML as it is (no sanitising of its own).
    return feedparser.parse(response.content, sanitize_html=False)


def _entry(feed, code: str):
    return next(entry for entry in feed.entries if f"[{code}]" in entry.title)


# Feed ---------------------------------------------------------------------------------


def test_staff_markup_published_into_a_card_reaches_feed_readers_as_text(client):
    pledge = Pledge.objects.get(code="12-1")
    pledge.overview = f"개요 {MARKUP}"
    pledge.target = MARKUP
    pledge_save(pledge=pledge, reason="markup")
    publication_publish(pledges=Pledge.objects.filter(code="12-1"), by=reviewer(), note=MARKUP)

    entry = _entry(_feed(client), "12-1")
    assert entry.summary_detail.type == "text/html"
    assert "<img" not in entry.summary  # no live markup for the reader to run
    assert "&lt;img src=x onerror=alert(1)&gt;" in entry.summary  # shown as typed


def test_the_feed_shows_the_published_title_and_stage_never_a_staff_draft(client):
    pledge = Pledge.objects.get(code="12-1")
    published = Publication.objects.get(pledge=pledge, superseded_at__isnull=True)
    pledge.title = "초안 제목 (검토 전)"
    assert pledge.stage != Stage.INFEASIBLE
    pledge.stage = Stage.INFEASIBLE
    pledge_save(pledge=pledge, stage_changed_on=timezone.localdate(), reason="draft")

    title = _entry(_feed(client), "12-1").title  # first read: nothing cached before
    assert title.startswith(f"[12-1] {published.title} — {published.get_stage_display()}")
    assert "초안 제목" not in title and pledge.get_stage_display() not in title


def test_each_feed_entry_links_to_the_pledge_as_it_was_on_its_publication_day(client):
    pledge = Pledge.objects.get(code="12-1")
    pledge.target = "새 목표"
    pledge_save(pledge=pledge, reason="target")
    [publication] = publication_publish(pledges=Pledge.objects.filter(code="12-1"), by=reviewer())
    day = timezone.localtime(publication.published_at).date()
    entry = _entry(_feed(client), "12-1")
    assert entry.link.endswith(f"/pledges/12-1/?term={pledge.term.number}&as_of={day:%Y-%m-%d}")


# xlsx: rows are counted as read, whatever the sheet's <dimension> claims ----------------


def _dimension(data: bytes, ref: str | None) -> bytes:
    """The same workbook with its sheet's <dimension ref> changed (or taken out)."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = re.sub(r"<dimension ref=\"[A-Z0-9:]+\"\s*/>", "", content.decode())
                if ref:  # its place: after <sheetPr>, before the views, columns and data
                    text = re.sub(
                        r"<(sheetViews|sheetFormatPr|cols|sheetData)\b",
                        rf'<dimension ref="{ref}"/><\1',
                        text,
                        count=1,
                    )
                    assert f'<dimension ref="{ref}"/>' in text
                content = text.encode()
            target.writestr(info, content)
    return out.getvalue()


@functools.cache
def _many_rows(count: int) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADER)
    for year in range(count):
        sheet.append(["12-7", "본사업", "집행금액", "계", str(2000 + year % 30), 1, ""])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("claim", ["A1:G2", "A1:B2", "A1:G30001", "A1:Z100", None])
def test_an_xlsx_is_read_to_its_last_row_and_column_whatever_its_dimension_claims(claim):
    data = _dimension(xlsx_file(GOOD_ROWS).read(), claim)
    dataset = SafeXLSX().create_dataset(data)
    assert dataset.headers == HEADER
    assert [list(row)[:6] for row in dataset] == [row[:6] for row in GOOD_ROWS]


def test_an_xlsx_that_under_declares_its_rows_previews_every_row(client):
    client.force_login(department_staff("building", departments=("공공건축과",)))
    upload = SimpleUploadedFile("lying.xlsx", _dimension(xlsx_file(GOOD_ROWS).read(), "A1:H2"))
    result = dry_run(client, upload).context["result"]
    assert (result.totals["new"], result.totals["update"], result.totals["skip"]) == (1, 1, 1)


@pytest.mark.parametrize("claim", ["A1:G2", "A1:G20001", None])
def test_an_xlsx_over_the_row_cap_is_refused_whatever_its_dimension_claims(claim):
    data = _dimension(_many_rows(settings.IMPORT_MAX_ROWS + 1), claim)
    with pytest.raises(ImportRefused, match="행이 너무 많습니다\\(20,001행, 최대 20,000행\\)"):
        SafeXLSX().create_dataset(data)


@pytest.mark.parametrize("claim", ["A1:G2", None])
def test_an_xlsx_at_the_row_cap_is_read(claim, settings):
    settings.IMPORT_MAX_ROWS = 3
    assert len(SafeXLSX().create_dataset(_dimension(xlsx_file(GOOD_ROWS).read(), claim))) == 3
    with pytest.raises(ImportRefused, match="행이 너무 많습니다\\(4행, 최대 3행\\)"):
        SafeXLSX().create_dataset(_dimension(xlsx_file(GOOD_ROWS * 2).read(), claim))


def test_a_value_outside_the_headers_columns_is_refused_not_dropped():
    data = _dimension(xlsx_file([[*GOOD_ROWS[0], None, "숨은 값"]]).read(), "A1:G2")
    with translation.override("ko"), pytest.raises(ImportRefused, match="I2 칸이 머리글 열 밖에"):
        SafeXLSX().create_dataset(data)
    with translation.override("en"), pytest.raises(ImportRefused, match="Cell I2 is outside"):
        SafeXLSX().create_dataset(data)


# Host check before the page cache ------------------------------------------------------

CACHED_PAGES = ["/", "/pledges/", "/pledges/12-1/", "/departments/공공건축과/", "/feed/", "/en/"]
FORGED_HOSTS = ["evil.com", "127.0.0.1.evil.com", "x@evil.com", "testserver@evil.com"]


@pytest.mark.parametrize("url", CACHED_PAGES)
def test_a_cached_page_refuses_a_host_not_allowed_as_an_uncached_one_does(client, url):
    assert not settings.DEBUG and "evil.com" not in settings.ALLOWED_HOSTS  # production
    assert client.get(url).status_code == 200
    cached = client.get(url)
    assert cached.status_code == 200 and cached["X-Page-Cache"] == "hit"
    for host in FORGED_HOSTS:
        for method in (client.get, client.head):
            response = method(url, HTTP_HOST=host)
            assert response.status_code == 400, (host, method)
            assert "X-Page-Cache" not in response


# Loose inputs: amounts in ASCII digits, as_of exactly YYYY-MM-DD -----------------------

NOT_ASCII_DIGITS = ["1e3", "1E3", "1_000", "١٠٠٠", "۱۰۰۰", "१०००", "１０００", "NaN", "Infinity"]


def _grid(project):
    return reverse("admin:budgets_budgetfigure_grid", args=[project.pk])


@pytest.mark.parametrize("typed", NOT_ASCII_DIGITS)
def test_the_grid_refuses_an_amount_not_in_ascii_digits_and_writes_nothing(client, typed):
    project = Project.objects.get(pledge__code="12-7")
    client.force_login(department_staff("building", departments=("공공건축과",)))
    before = list(BudgetFigure.objects.values_list("pk", "amount").order_by("pk"))
    data = change_form_data(client.get(_grid(project)))
    data["cell__executed__total__2026"] = typed
    data["change_reason"] = "입력"
    response = client.post(_grid(project), data)
    assert response.status_code == 200
    [error] = response.context["form"].errors["cell__executed__total__2026"]
    assert "금액은 0–9 숫자로만 적으세요" in error and typed in error
    with translation.override("en"), pytest.raises(ValidationError, match="digits 0–9 only"):
        AmountField().clean(typed)
    assert list(BudgetFigure.objects.values_list("pk", "amount").order_by("pk")) == before


@pytest.mark.parametrize("typed", ["1e3", "١٠٠٠"])
def test_one_figures_form_and_the_import_refuse_the_same_amounts(client, typed):
    client.force_login(department_staff("building", departments=("공공건축과",)))
    figure = BudgetFigure.objects.filter(project__pledge__code="12-7").first()
    url = reverse("admin:budgets_budgetfigure_change", args=[figure.pk])
    data = change_form_data(client.get(url))
    data["amount"] = typed
    data["change_reason"] = "입력"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "0–9 숫자로만" in str(response.context["adminform"].form.errors["amount"])

    rows = [["12-7", "본사업", "집행금액", "계", "2026", typed, ""]]
    response = dry_run(client, csv_file(rows), file_format=CSV)
    assert response.context["result"].has_validation_errors()
    assert "0–9 숫자로만" in response.content.decode()
    assert figure.amount == BudgetFigure.objects.get(pk=figure.pk).amount


def test_the_grid_still_takes_a_plain_number_with_spaces_around_it(client):
    project = Project.objects.get(pledge__code="12-7")
    client.force_login(department_staff("building", departments=("공공건축과",)))
    data = change_form_data(client.get(_grid(project)))
    data["cell__executed__total__2026"] = " 1200 "
    data["cell__executed__total__total"] = "15775"
    data["change_reason"] = "2026년 1분기 집행실적"
    response = client.post(_grid(project), data)
    assert response.status_code == 302, response.context["form"].errors
    assert BudgetFigure.objects.get(project=project, kind="executed", period="2026").amount == 1200


# Around today's date (the seed is published today): spaces, week dates, other digits.
AS_OF_PAYLOADS = [
    " {day}",
    "{day} ",
    "{day}\n",
    "\t{day}",
    "{day:%G-W%V-%u}",
    "{day:%Y%m%d}",
    "{arabic}",
]
AS_OF_ROUTES = ["/pledges/12-1/?as_of={}", "/api/pledges/?as_of={}", "/api/pledges/12-1/?as_of={}"]


@pytest.mark.parametrize("route", AS_OF_ROUTES)
@pytest.mark.parametrize("payload", AS_OF_PAYLOADS)
def test_as_of_is_exactly_a_day_written_yyyy_mm_dd_or_a_400(client, route, payload):
    day = timezone.localdate()
    arabic = f"{day}".translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    response = client.get(route.format(quote(payload.format(day=day, arabic=arabic))))
    assert response.status_code == 400
    assert "YYYY-MM-DD" in response.content.decode()
    assert client.get(route.format(f"{day}")).status_code == 200


# Staff lists: administrators only -------------------------------------------------------


def _department_routes(department: Department) -> list[str]:
    version = department.history.latest().history_id
    return [
        reverse("admin:departments_department_change", args=[department.pk]),
        reverse("admin:departments_department_history", args=[department.pk]),
        reverse("admin:departments_department_simple_history", args=[department.pk, version]),
        reverse("admin:departments_department_changelist"),
        reverse("admin:departments_department_changelist") + "?q=공공",
        reverse("admin:autocomplete")
        + "?app_label=departments&model_name=department&field_name=staff&term=gong",
        reverse("admin:index"),
    ]


@pytest.mark.parametrize("role", ["staff_other", "staff_same", "reviewer", "auditor"])
def test_no_role_but_the_administrator_sees_who_staffs_a_department(client, role):
    department = Department.objects.get(name="공공건축과")
    department_save(department=department, reason="표시")  # a past version to open
    department_staff("gonggong", departments=("공공건축과",))
    user = {
        "staff_other": lambda: department_staff("minwon", departments=("민원여권과",)),
        "staff_same": lambda: department_staff("building", departments=("공공건축과",)),
        "reviewer": reviewer,
        "auditor": auditor,
    }[role]()
    client.force_login(user)
    for url in _department_routes(department):
        response = client.get(url)
        assert response.status_code in (200, 403), (url, response.status_code)
        assert b"gonggong" not in response.content, url
        if response.context and "adminform" in response.context:
            form = response.context["adminform"]
            assert "staff" not in [*form.form.fields, *form.readonly_fields], url
    assert client.get(_department_routes(department)[0]).status_code == 200  # still readable


def test_the_administrator_sees_and_edits_who_staffs_a_department(client):
    department = Department.objects.get(name="공공건축과")
    department_staff("gonggong", departments=("공공건축과",))
    client.force_login(make_user("root", superuser=True))
    response = client.get(reverse("admin:departments_department_change", args=[department.pk]))
    assert response.status_code == 200
    assert "staff" in response.context["adminform"].form.fields  # and may change it
    assert b"gonggong" in response.content


# A forged inline row: refused, nothing written ------------------------------------------


def test_a_forged_inline_row_of_another_card_is_refused_and_writes_no_history(client):
    client.force_login(department_staff())  # 민원여권과: 12-1, not 12-7
    pledge = Pledge.objects.get(code="12-1")
    url = reverse("admin:pledges_pledge_change", args=[pledge.pk])
    page = client.get(url)
    forged = 0
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        foreign = formset.model.objects.filter(pledge__code="12-7").first()
        if not formset.initial_forms or foreign is None:
            continue
        data = change_form_data(page)
        data[f"{formset.prefix}-0-id"] = str(foreign.pk)
        data["change_reason"] = "다른 카드의 행"
        history = (pledge.history.count(), foreign.history.count(), formset.model.history.count())
        response = client.post(url, data)
        assert response.status_code == 200, formset.prefix
        assert "이 기록의 행이 아닌 것이 있습니다" in response.content.decode()
        after = (pledge.history.count(), foreign.history.count(), formset.model.history.count())
        assert after == history, formset.prefix
        forged += 1
    assert forged >= 4  # sub-projects, plans, milestones, officials at least


# The choices a department's staff are offered, and a post naming another department ----

OWN = "민원여권과"


def _own_ids(model, path: str) -> set[int]:
    return set(model.objects.filter(**{path: OWN}).values_list("pk", flat=True))


@pytest.mark.parametrize(
    ("url", "field", "model", "path"),
    [
        ("admin:departments_official_add", "department", Department, "name"),
        ("admin:pledges_project_add", "pledge", Pledge, "department__name"),
        ("admin:budgets_budgetfigure_add", "project", Project, "pledge__department__name"),
    ],
)
def test_staff_are_offered_only_their_departments_choices(client, url, field, model, path):
    client.force_login(department_staff())
    form = client.get(reverse(url)).context["adminform"].form
    offered = {choice.pk for choice in form.fields[field].queryset}
    assert offered == _own_ids(model, path) and offered


def test_the_card_inlines_offer_only_the_departments_sub_projects_and_officials(client):
    client.force_login(department_staff())
    pledge = Pledge.objects.get(code="12-1")
    page = client.get(reverse("admin:pledges_pledge_change", args=[pledge.pk]))
    formsets = {
        inline.formset.model: inline.formset for inline in page.context["inline_admin_formsets"]
    }
    projects = {p.pk for p in formsets[Milestone].form.base_fields["project"].queryset}
    assert projects == _own_ids(Project, "pledge__department__name")
    officials = {o.pk for o in formsets[PledgeOfficial].form.base_fields["official"].queryset}
    assert officials == _own_ids(Official, "department__name")
    found = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "pledges", "model_name": "pledgeofficial", "field_name": "official"},
    ).json()["results"]
    assert {int(row["id"]) for row in found} <= _own_ids(Official, "department__name")


def test_a_post_naming_another_departments_id_is_refused(client):
    client.force_login(department_staff())
    other = Department.objects.get(name="공공건축과")
    data = {
        "department": other.pk,
        "role": Role.choices[0][0],
        "name": "홍길동",
        "phone": "940-0000",
        "change_reason": "추가",
    }
    before = Official.objects.count()
    response = client.post(reverse("admin:departments_official_add"), data)
    assert response.status_code == 200
    assert "department" in response.context["adminform"].form.errors
    assert Official.objects.count() == before


# A seed loaded into a running site ------------------------------------------------------


def test_loading_a_seed_into_a_running_site_moves_the_public_version(client, seed_copy):
    assert client.get("/pledges/").status_code == 200
    assert client.get("/pledges/")["X-Page-Cache"] == "hit"
    card = (seed_copy.folder / "pledges" / "12-3.toml").read_text(encoding="utf-8")
    new_card = card.replace('code = "12-3"', 'code = "12-98"', 1).replace(
        'title = "시장직속 시민사회소통관 신설"', 'title = "새로 적재한 공약 카드"', 1
    )
    (seed_copy.folder / "pledges" / "12-98.toml").write_text(new_card, encoding="utf-8")
    before = public_version()
    seed_copy.load()
    assert public_version() > before
    page = client.get("/pledges/")
    assert page["X-Page-Cache"] == "miss" and "새로 적재한 공약 카드" in page.content.decode()


# The attacker's matrix: every role × the routes above × the hostile payload ------------

ROLES = {
    "anonymous": lambda: None,
    "staff_other": lambda: department_staff("minwon", departments=("민원여권과",)),
    "reviewer": reviewer,
    "auditor": auditor,
}


@pytest.mark.parametrize("role", ROLES)
def test_matrix_forged_hosts_are_refused_for_every_role_on_every_route(client, role):
    user = ROLES[role]()
    if user:
        client.force_login(user)
    department = Department.objects.get(name="공공건축과")
    routes = [*CACHED_PAGES, reverse("admin:departments_department_change", args=[department.pk])]
    for url in routes:
        client.get(url)  # cached where it may be
        for host in FORGED_HOSTS:
            assert client.get(url, HTTP_HOST=host).status_code == 400, (role, url, host)


@pytest.mark.parametrize("role", ROLES)
def test_matrix_no_role_writes_a_hostile_amount_or_a_forged_row_into_another_card(client, role):
    """12-7 is 공공건축과's: none of these roles may write it, whatever the payload."""
    user = ROLES[role]()
    if user:
        client.force_login(user)
    project = Project.objects.get(pledge__code="12-7")
    pledge = project.pledge
    foreign = Milestone.objects.filter(pledge__code="12-1").first()
    writes = (BudgetFigure.history.count(), Pledge.history.count(), Milestone.history.count())
    for typed in ["1e3", "١٠٠٠", "1200"]:
        response = client.post(
            _grid(project),
            {"cell__executed__total__2026": typed, "change_reason": "x", "version": ""},
        )
        assert response.status_code in (302, 403, 404), (role, typed)
        if response.status_code == 302:  # anonymous: to the login page
            assert "/login/" in response["Location"]
    response = client.post(
        reverse("admin:pledges_pledge_change", args=[pledge.pk]),
        {
            "milestones-TOTAL_FORMS": "1",
            "milestones-INITIAL_FORMS": "1",
            "milestones-0-id": str(foreign.pk),
            "milestones-0-text": "forged",
            "change_reason": "x",
        },
    )
    assert response.status_code in (302, 403, 404), role
    after = (BudgetFigure.history.count(), Pledge.history.count(), Milestone.history.count())
    assert after == writes, role
