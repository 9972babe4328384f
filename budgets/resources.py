"""Import and export of budget figures (django-import-export), keyed by human keys.

One row per printed cell: 임기 (term number, optional: the current term when blank),
공약 (pledge code), 세부사업 (sub-project), 표 (table), 재원
(funding source), 기간 (period), 금액(백만원), 비고. The export has the same layout, so
export → edit in Excel → import round-trips. Files are checked before any row is read:
size, decompressed size and formulas for xlsx, encoding for csv, and a row cap.
"""

import io
import zipfile
from decimal import Decimal, InvalidOperation

import tablib
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from import_export.formats import base_formats
from import_export.forms import ImportForm

from departments.scoping import is_department_staff, user_departments
from pledges import periods
from pledges.models import Project, Term
from pledges.opendata import spreadsheet_safe

from .finance import SOURCE_NAMES
from .models import BudgetFigure, FigureKind
from .services import planner_statistics_refresh, pledge_totals_refresh

COLUMNS = {
    "term": "임기",
    "pledge": "공약",
    "project": "세부사업",
    "table": "표",
    "source": "재원",
    "period": "기간",
    "amount": "금액(백만원)",
    "note": "비고",
}
TABLE_NAMES = {
    FigureKind.INVESTMENT: "연도별 투자계획",
    FigureKind.COST_INITIAL: "총사업비 초기계획",
    FigureKind.COST_CURRENT: "총사업비 현재계획",
    FigureKind.IN_TERM_PLAN: "임기내 계획",
    FigureKind.SECURED: "확보금액",
    FigureKind.EXECUTED: "집행금액",
}
PERIOD_NAMES = {periods.TOTAL: "계", periods.PRIOR: "기투자", periods.AFTER: "임기후"}
FIGURE_CACHE_PROJECTS = 64
BULK_ROWS = 1000  # an import this large refreshes PostgreSQL's planner statistics
# model field → the resource field (and so the file's column) its errors belong to
MODEL_FIELD_COLUMNS = {
    "project": "pledge",
    "kind": "table",
    "source": "source_name",
    "period": "period_name",
}


NEGATIVE_MESSAGE = next(
    c.violation_error_message
    for c in BudgetFigure._meta.constraints
    if c.name.endswith("amount_not_negative")
)


class ImportRefused(ValueError):
    """A file refused before its rows are read; the message says why, in Korean and English."""


def _lookup(names: dict[str, str], value) -> str | None:
    """Accept the Korean name or the code: "시비" or "city"."""
    text = str(value or "").strip()
    for code, name in names.items():
        if text in (code, name):
            return code
    return None


def period_from_text(value) -> str | None:
    text = str(value or "").strip()
    if text.endswith(".0"):  # Excel turns 2023 into 2023.0
        text = text[:-2]
    return _lookup(PERIOD_NAMES, text) or (
        text if periods.is_valid(text, range(0, 10000)) else None
    )


class WholeNumberWidget(widgets.Widget):
    """백만원 as a whole number; a fraction or text is an error, never rounded."""

    def clean(self, value, row=None, **kwargs):
        if value is None or str(value).strip() == "":
            raise ValueError(
                _(
                    "금액이 비어 있습니다. / "
                    "The amount is empty (figures are corrected, not removed)."
                )
            )
        try:
            number = Decimal(str(value).replace(",", "").strip())
        except InvalidOperation as error:
            raise ValueError(
                _("금액이 숫자가 아닙니다: %(value)s / Not a number: %(value)s") % {"value": value}
            ) from error
        if number != number.to_integral_value():
            raise ValueError(
                _("금액은 백만원 단위 정수여야 합니다: %(value)s / Must be whole 백만원: %(value)s")
                % {"value": value}
            )
        return int(number)

    def render(self, value, obj=None, **kwargs):
        return value


class BudgetFigureResource(resources.ModelResource):
    term = fields.Field(column_name=COLUMNS["term"], readonly=True)
    pledge = fields.Field(column_name=COLUMNS["pledge"], readonly=True)
    project_name = fields.Field(column_name=COLUMNS["project"], readonly=True)
    table = fields.Field(column_name=COLUMNS["table"], readonly=True)
    source_name = fields.Field(column_name=COLUMNS["source"], readonly=True)
    period_name = fields.Field(column_name=COLUMNS["period"], readonly=True)
    amount = fields.Field(
        attribute="amount", column_name=COLUMNS["amount"], widget=WholeNumberWidget()
    )
    note = fields.Field(
        attribute="note", column_name=COLUMNS["note"], widget=widgets.CharWidget(allow_blank=True)
    )

    class Meta:
        model = BudgetFigure
        fields = [
            "term",
            "pledge",
            "project_name",
            "table",
            "source_name",
            "period_name",
            "amount",
            "note",
        ]
        export_order = fields
        clean_model_instances = False  # validate_instance below, without a query per row
        skip_unchanged = True
        report_skipped = True
        use_transactions = True

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.touched_projects: set[int] = set()
        self._terms: dict[str, Term | None] = {}
        self._projects: dict[tuple, Project | None] = {}
        self._figures: dict[int, dict[tuple, BudgetFigure]] = {}
        self._seen: dict[tuple, int] = {}
        self._allowed: set[int] | None = None

    # Export ---------------------------------------------------------------------------

    def dehydrate_term(self, figure):
        return figure.project.pledge.term.number

    def dehydrate_pledge(self, figure):
        return figure.project.pledge.code

    def dehydrate_project_name(self, figure):
        return spreadsheet_safe(figure.project.name)

    def dehydrate_table(self, figure):
        return TABLE_NAMES[figure.kind]

    def dehydrate_source_name(self, figure):
        return SOURCE_NAMES[figure.source]

    def dehydrate_period_name(self, figure):
        return PERIOD_NAMES.get(figure.period, figure.period)

    def dehydrate_note(self, figure):
        return spreadsheet_safe(figure.note)

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("project__pledge__term").order_by(
            "project__pledge__code", "project__position", "kind", "source", "period"
        )

    # Import ---------------------------------------------------------------------------

    def _term(self, value) -> Term | None:
        """The term a row names (임기), or the current term when the column is blank."""
        key = str(value or "").strip()
        if key not in self._terms:
            number = Term.parse_number(key)
            if number is not None:
                self._terms[key] = Term.objects.filter(number=number).first()
            elif not key:
                self._terms[key] = Term.objects.filter(is_current=True).first()
            else:
                self._terms[key] = None
        return self._terms[key]

    def _project(self, term: Term, code: str, name: str) -> Project | None:
        key = (term.pk, code, name)
        if key not in self._projects:
            self._projects[key] = (
                Project.objects.select_related("pledge__department", "pledge__term")
                .filter(pledge__term=term, pledge__code=code, name=name)
                .first()
            )
        return self._projects[key]

    def _may_edit(self, user, project: Project) -> bool:
        if user is None or not is_department_staff(user):
            return True
        if self._allowed is None:
            self._allowed = set(user_departments(user).values_list("pk", flat=True))
        return project.pledge.department_id in self._allowed

    def before_import_row(self, row, **kwargs):
        """Resolve the human keys; every problem names its column, in Korean and English."""
        user = self.user or kwargs.get("user")
        errors = {}
        term = self._term(row.get(COLUMNS["term"]))
        code = str(row.get(COLUMNS["pledge"]) or "").strip()
        name = str(row.get(COLUMNS["project"]) or "").strip()
        project = self._project(term, code, name) if term else None
        if term is None:
            errors["term"] = _("열 '임기': 없는 임기 / column 임기: no such term")
        elif project is None:
            errors["pledge"] = _(
                "열 '공약'/'세부사업': %(code)s %(name)s 세부사업이 없습니다. / "
                "columns 공약/세부사업: no sub-project %(name)s in pledge %(code)s."
            ) % {"code": code or "(빈칸)", "name": name or "(빈칸)"}
        elif not self._may_edit(user, project):
            errors["pledge"] = _(
                "열 '공약': %(code)s은(는) 다른 부서(%(department)s)의 공약입니다. / "
                "column 공약: %(code)s belongs to another department (%(department)s)."
            ) % {"code": code, "department": project.pledge.department.name}
        kind = _lookup(TABLE_NAMES, row.get(COLUMNS["table"]))
        if kind is None:
            errors["table"] = _("열 '표': 알 수 없는 표 '%(value)s' / column 표: unknown table") % {
                "value": row.get(COLUMNS["table"])
            }
        source = _lookup(SOURCE_NAMES, row.get(COLUMNS["source"]))
        if source is None:
            errors["source_name"] = _(
                "열 '재원': 알 수 없는 재원 '%(value)s' / column 재원: unknown funding source"
            ) % {"value": row.get(COLUMNS["source"])}
        period = period_from_text(row.get(COLUMNS["period"]))
        if period is None:
            errors["period_name"] = _(
                "열 '기간': 알 수 없는 기간 '%(value)s' / column 기간: unknown period"
            ) % {"value": row.get(COLUMNS["period"])}
        if not errors:
            key = (project.pk, kind, source, period)
            number = kwargs.get("row_number")
            if key in self._seen:
                errors["period_name"] = _(
                    "같은 칸이 %(first)s행에 이미 있습니다. / The same cell is already in row "
                    "%(first)s."
                ) % {"first": self._seen[key]}
            self._seen.setdefault(key, number)
        if errors:
            raise ValidationError(errors)
        row["_key"] = (project, kind, source, period)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """The model's own checks, reported under the file's columns (재원, 기간, 표, 공약).

        Uniqueness needs no query: the row's key found the existing figure, and a key
        repeated in the file is refused in ``before_import_row``. The database's
        constraints still stand behind both.
        """
        errors = dict(import_validation_errors or {})
        try:
            instance.clean_fields(exclude=set(errors) | {"project"})
            instance.clean()
            if instance.amount is not None and instance.amount < 0:
                raise ValidationError({"amount": NEGATIVE_MESSAGE})
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError({MODEL_FIELD_COLUMNS.get(k, k): v for k, v in errors.items()})

    def get_instance(self, instance_loader, row):
        project, kind, source, period = row["_key"]
        if project.pk not in self._figures:
            # Files list a sub-project's cells together: keep the last few sub-projects'
            # figures, so a 10,000-row file stays in bounded memory.
            if len(self._figures) >= FIGURE_CACHE_PROJECTS:
                self._figures.pop(next(iter(self._figures)))
            self._figures[project.pk] = {
                (f.kind, f.source, f.period): f
                for f in BudgetFigure.objects.filter(project=project)
            }
        figure = self._figures[project.pk].get((kind, source, period))
        if figure is not None:
            figure.project = project  # its pledge and term are loaded: no query in clean()
        return figure

    def init_instance(self, row=None):
        project, kind, source, period = row["_key"]
        return BudgetFigure(project=project, kind=kind, source=source, period=period)

    def before_save_instance(self, instance, row, **kwargs):
        file_name = kwargs.get("file_name") or ""
        instance._change_reason = f"엑셀 가져오기 / import: {file_name}"[:300]
        self.touched_projects.add(instance.project_id)

    def after_import(self, dataset, result, **kwargs):
        if not kwargs.get("dry_run") and not result.has_errors():
            pledge_ids = set()
            for project in Project.objects.filter(pk__in=self.touched_projects):
                project.save(update_fields=["updated_at"])
                pledge_ids.add(project.pledge_id)
            pledge_totals_refresh(pledge_ids=pledge_ids)
            if result.totals.get("new", 0) + result.totals.get("update", 0) >= BULK_ROWS:
                # A bulk load: fresh planner statistics once the rows are committed.
                tables = [BudgetFigure._meta.db_table, BudgetFigure.history.model._meta.db_table]
                transaction.on_commit(lambda: planner_statistics_refresh(tables=tables))


# Files -------------------------------------------------------------------------------


def _check_rows(count: int) -> None:
    if count > settings.IMPORT_MAX_ROWS:
        raise ImportRefused(
            _(
                "행이 너무 많습니다(%(count)s행, 최대 %(max)s행). / "
                "Too many rows (%(count)s, max %(max)s)."
            )
            % {"count": f"{count:,}", "max": f"{settings.IMPORT_MAX_ROWS:,}"}
        )


class SafeXLSX(base_formats.XLSX):
    """xlsx, read cell values only: zip bombs, formulas and oversized sheets are refused."""

    def create_dataset(self, in_stream):
        import openpyxl

        try:
            archive = zipfile.ZipFile(io.BytesIO(in_stream))
            unpacked = sum(info.file_size for info in archive.infolist())
        except zipfile.BadZipFile as error:
            raise ImportRefused(
                _("xlsx 파일이 손상되었습니다. / The xlsx file is damaged or not an xlsx file.")
            ) from error
        if unpacked > settings.IMPORT_MAX_UNZIPPED_BYTES:
            raise ImportRefused(
                _("압축을 풀면 너무 큰 파일입니다. / The xlsx file unpacks to too much data.")
            )
        try:
            book = openpyxl.load_workbook(io.BytesIO(in_stream), read_only=True, data_only=False)
        except Exception as error:  # openpyxl raises many kinds for a damaged file
            raise ImportRefused(
                _("xlsx 파일을 읽을 수 없습니다. / The xlsx file cannot be read.")
            ) from error
        sheet = book.active
        _check_rows(max((sheet.max_row or 1) - 1, 0))
        dataset = tablib.Dataset()
        rows = sheet.iter_rows()
        try:
            dataset.headers = [cell.value for cell in next(rows)]
        except StopIteration:
            return dataset
        for number, row in enumerate(rows, start=2):
            values = []
            for cell in row:
                if cell.data_type == "f":
                    raise ImportRefused(
                        _(
                            "%(cell)s 칸에 수식이 있습니다. 값으로 붙여 넣은 뒤 다시 올리세요. / "
                            "Cell %(cell)s holds a formula: paste values only and upload again."
                        )
                        % {"cell": cell.coordinate}
                    )
                values.append(cell.value)
            if any(value not in (None, "") for value in values):
                dataset.append(values)
            _check_rows(number - 1)
        book.close()
        return dataset


class SafeCSV(base_formats.CSV):
    """csv in UTF-8 (with or without BOM) or in CP949/EUC-KR, as Korean Excel saves it."""

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream):
        if isinstance(in_stream, bytes):
            for encoding in ("utf-8-sig", "cp949"):
                try:
                    text = in_stream.decode(encoding)
                    break
                except UnicodeDecodeError:
                    continue
            else:
                raise ImportRefused(
                    _(
                        "CSV 인코딩을 알 수 없습니다. UTF-8로 저장하세요. / "
                        "Unknown CSV encoding: save it as UTF-8."
                    )
                )
        else:
            text = in_stream
        _check_rows(text.count("\n"))
        return tablib.import_set(text, format="csv")

    def export_data(self, dataset, **kwargs):
        """UTF-8 with a BOM, so Excel opens Korean text correctly."""
        return ("\ufeff" + super().export_data(dataset, **kwargs)).encode("utf-8")


class SafeImportForm(ImportForm):
    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise ValidationError(
                _("파일이 너무 큽니다(최대 %(max)s MB). / The file is too large (max %(max)s MB).")
                % {"max": settings.IMPORT_MAX_BYTES // (1024 * 1024)}
            )
        return upload
