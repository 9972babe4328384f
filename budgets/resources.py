"""Import and export of budget figures (django-import-export), keyed by human keys.

One row per printed cell: 임기 (term number, optional: the current term when blank),
공약 (pledge code), 세부사업 (sub-project), 표 (table), 재원
(funding source), 기간 (period), 금액(백만원), 비고. The export has the same layout, so
export → edit in Excel → import round-trips, the formula escape included (text a
spreadsheet would run gets a leading ``'`` on export, which the import takes off again).
Files are checked before any row is read: size, decompressed size and formulas for
xlsx, encoding for csv, and a cap on real rows (any line ending).

The resource never writes. ``import_data`` resolves and validates every row and plans
the changes (``amounts``, ``notes``, ``preview``); ``budgets.services.figures_import``
applies them through the same service as the admin grid.
"""

import io
import zipfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import tablib
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets
from import_export.formats import base_formats
from import_export.forms import ImportForm

from departments.scoping import is_department_staff, user_departments
from pledges import periods
from pledges.models import Project, Term
from pledges.spreadsheet import FORMULA_STARTS

from .finance import PERIOD_NAMES, SOURCE_NAMES, TABLE_NAMES, Cell, amount_text_check
from .models import BudgetFigure

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
FIGURE_CACHE_PROJECTS = 64
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


def text_escape(value):
    """Export: text a spreadsheet would run as a formula, or that starts with ``'``, gets ``'``.

    Escaping a leading apostrophe too keeps the round trip exact: ``text_unescape``
    takes off exactly the one apostrophe this added.
    """
    if isinstance(value, str) and value.startswith((*FORMULA_STARTS, "'")):
        return "'" + value
    return value


def text_unescape(value):
    """Import: the inverse of ``text_escape`` (and of ``spreadsheet_safe``)."""
    if (
        isinstance(value, str)
        and value.startswith("'")
        and value[1:].startswith((*FORMULA_STARTS, "'"))
    ):
        return value[1:]
    return value


def file_row(row_number: int) -> int:
    """The spreadsheet's row number of a data row (the header is row 1)."""
    return row_number + 1


@dataclass
class PreviewRow:
    """One row of the file as the preview shows it: the key columns, old → new."""

    row: int
    status: str  # "new", "update" or "skip"
    term: int
    pledge: str
    project: str
    table: str
    source: str
    period: str
    amount_old: int | None
    amount_new: int
    note_old: str
    note_new: str

    @property
    def amount_changed(self) -> bool:
        return self.amount_old != self.amount_new

    @property
    def note_changed(self) -> bool:
        return self.note_old != self.note_new


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
            raise ValueError(_("The amount is empty (figures are corrected, not removed)."))
        if isinstance(value, str):
            try:
                amount_text_check(value)
            except ValidationError as error:
                raise ValueError(error.messages[0]) from error
        try:
            number = Decimal(str(value).replace(",", "").strip())
        except InvalidOperation as error:
            raise ValueError(_("Not a number: %(value)s") % {"value": value}) from error
        if number != number.to_integral_value():
            raise ValueError(_("Must be whole 백만원: %(value)s") % {"value": value})
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
        use_transactions = False  # it only reads: no transaction holds the write lock
        store_instance = True
        skip_html_diff = True  # the preview shows old → new per cell instead

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self._terms: dict[str, Term | None] = {}
        self._projects: dict[tuple, Project | None] = {}
        self._figures: dict[int, dict[tuple, BudgetFigure]] = {}
        self._seen: dict[tuple, int] = {}
        self._allowed: set[int] | None = None
        # The plan: what a confirm would change, and where each cell came from.
        self.amounts: dict[int, dict[Cell, int]] = {}
        self.notes: dict[int, dict[Cell, str]] = {}
        self.versions: dict[str, str] = {}
        self.preview: list[PreviewRow] = []
        self.rows_by_project: dict[int, list[tuple[int, str]]] = {}  # id → [(row, table)]

    # Export ---------------------------------------------------------------------------

    def dehydrate_term(self, figure):
        return figure.project.pledge.term.number

    def dehydrate_pledge(self, figure):
        return figure.project.pledge.code

    def dehydrate_project_name(self, figure):
        return text_escape(figure.project.name)

    def dehydrate_table(self, figure):
        return TABLE_NAMES[figure.kind]

    def dehydrate_source_name(self, figure):
        return SOURCE_NAMES[figure.source]

    def dehydrate_period_name(self, figure):
        return PERIOD_NAMES.get(figure.period, figure.period)

    def dehydrate_note(self, figure):
        return text_escape(figure.note)

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
        name = text_unescape(str(row.get(COLUMNS["project"]) or "").strip())
        if COLUMNS["note"] in row:
            row[COLUMNS["note"]] = text_unescape(row[COLUMNS["note"]])
        project = self._project(term, code, name) if term else None
        if term is None:
            errors["term"] = _("column 임기: no such term")
        elif project is None:
            errors["pledge"] = _(
                "columns 공약/세부사업: no sub-project %(name)s in pledge %(code)s."
            ) % {"code": code or "(빈칸)", "name": name or "(빈칸)"}
        elif not self._may_edit(user, project):
            errors["pledge"] = _(
                "column 공약: %(code)s belongs to another department (%(department)s)."
            ) % {"code": code, "department": project.pledge.department.name}
        kind = _lookup(TABLE_NAMES, row.get(COLUMNS["table"]))
        if kind is None:
            errors["table"] = _("column 표: unknown table '%(value)s'") % {
                "value": row.get(COLUMNS["table"])
            }
        source = _lookup(SOURCE_NAMES, row.get(COLUMNS["source"]))
        if source is None:
            errors["source_name"] = _("column 재원: unknown funding source '%(value)s'") % {
                "value": row.get(COLUMNS["source"])
            }
        period = period_from_text(row.get(COLUMNS["period"]))
        if period is None:
            errors["period_name"] = _("column 기간: unknown period '%(value)s'") % {
                "value": row.get(COLUMNS["period"])
            }
        if not errors:
            key = (project.pk, kind, source, period)
            number = file_row(kwargs.get("row_number") or 0)
            if key in self._seen:
                errors["period_name"] = _("The same cell is already in row %(first)s.") % {
                    "first": self._seen[key]
                }
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

    def import_data(self, dataset, dry_run=False, **kwargs):
        """Resolve, validate and plan every row; never write, never open a transaction."""
        kwargs["use_transactions"] = False
        kwargs.pop("rollback_on_validation_errors", None)
        return super().import_data(dataset, dry_run=False, **kwargs)

    def save_instance(self, instance, is_create, row, **kwargs):
        """Plan the change instead of saving it: ``figures_import`` writes."""
        project, kind, source, period = row["_key"]
        cell = (kind, source, period)
        self.amounts.setdefault(project.pk, {})[cell] = instance.amount
        if instance.note or not is_create:
            self.notes.setdefault(project.pk, {})[cell] = instance.note

    def import_row(self, row, instance_loader, **kwargs):
        result = super().import_row(row, instance_loader, **kwargs)
        if "_key" in row and result.import_type in ("new", "update", "skip"):
            project, kind, source, period = row["_key"]
            original = result.original
            self.versions[str(project.pk)] = project.updated_at.isoformat()
            self.rows_by_project.setdefault(project.pk, []).append(
                (file_row(kwargs["row_number"]), TABLE_NAMES[kind])
            )
            self.preview.append(
                PreviewRow(
                    row=file_row(kwargs["row_number"]),
                    status=result.import_type,
                    term=project.pledge.term.number,
                    pledge=project.pledge.code,
                    project=project.name,
                    table=TABLE_NAMES[kind],
                    source=SOURCE_NAMES[source],
                    period=PERIOD_NAMES.get(period, period),
                    amount_old=original.amount if original is not None else None,
                    amount_new=result.instance.amount,
                    note_old=original.note if original is not None else "",
                    note_new=result.instance.note,
                )
            )
        return result


# Files -------------------------------------------------------------------------------


def _check_rows(count: int) -> None:
    if count > settings.IMPORT_MAX_ROWS:
        raise ImportRefused(
            _("Too many rows (%(count)s, max %(max)s).")
            % {"count": f"{count:,}", "max": f"{settings.IMPORT_MAX_ROWS:,}"}
        )


def csv_row_count(data: bytes | str) -> int:
    """Data rows of a CSV (lines after the header), whatever the line ending: \\r\\n, \\n, \\r.

    Counted on the raw bytes, before anything is decoded or parsed. A line
    break inside a quoted cell counts as a row too: the cap errs on the safe side.
    """
    nl, cr, crlf = ("\n", "\r", "\r\n") if isinstance(data, str) else (b"\n", b"\r", b"\r\n")
    lines = data.count(nl) + data.count(cr) - data.count(crlf)
    if data and not data.endswith((nl, cr)):
        lines += 1
    return max(lines - 1, 0)


class SafeXLSX(base_formats.XLSX):
    """xlsx, read cell values only: zip bombs, formulas and oversized sheets are refused."""

    def create_dataset(self, in_stream):
        import openpyxl

        try:
            archive = zipfile.ZipFile(io.BytesIO(in_stream))
            unpacked = sum(info.file_size for info in archive.infolist())
        except zipfile.BadZipFile as error:
            raise ImportRefused(_("The xlsx file is damaged or not an xlsx file.")) from error
        if unpacked > settings.IMPORT_MAX_UNZIPPED_BYTES:
            raise ImportRefused(_("The xlsx file unpacks to too much data."))
        try:
            book = openpyxl.load_workbook(io.BytesIO(in_stream), read_only=True, data_only=False)
        except Exception as error:  # openpyxl raises many kinds for a damaged file
            raise ImportRefused(_("The xlsx file cannot be read.")) from error
        sheet = book.active
        # The sheet's <dimension ref> is the writer's claim, not the data: openpyxl stops at
        # its last row and column and pads up to them. Read every row the sheet holds and
        # count them as they come (the per-row cap below is the only cap).
        sheet.reset_dimensions()
        dataset = tablib.Dataset()
        rows = sheet.iter_rows()
        try:
            headers = [cell.value for cell in next(rows)]
        except StopIteration:
            return dataset
        while headers and headers[-1] in (None, ""):
            headers.pop()
        dataset.headers = headers
        for number, row in enumerate(rows, start=2):
            _check_rows(number - 1)
            values = []
            for column, cell in enumerate(row, start=1):
                if column > len(headers) and cell.value in (None, ""):
                    continue
                if column > len(headers):
                    raise ImportRefused(
                        _(
                            "Cell %(cell)s is outside the header's columns: "
                            "fill in its column's name or delete it."
                        )
                        % {"cell": cell.coordinate}
                    )
                if cell.data_type == "f":
                    raise ImportRefused(
                        _("Cell %(cell)s holds a formula: paste values only and upload again.")
                        % {"cell": cell.coordinate}
                    )
                values.append(cell.value)
            values += [None] * (len(headers) - len(values))  # a row's trailing blanks
            if any(value not in (None, "") for value in values):
                dataset.append(values)
        book.close()
        return dataset


class SafeCSV(base_formats.CSV):
    """csv in UTF-8 (with or without BOM) or in CP949/EUC-KR, as Korean Excel saves it."""

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream):
        _check_rows(csv_row_count(in_stream))
        if isinstance(in_stream, bytes):
            for encoding in ("utf-8-sig", "cp949"):
                try:
                    text = in_stream.decode(encoding)
                    break
                except UnicodeDecodeError:
                    continue
            else:
                raise ImportRefused(_("Unknown CSV encoding: save it as UTF-8."))
        else:
            text = in_stream
        return tablib.import_set(text, format="csv")

    def export_data(self, dataset, **kwargs):
        """UTF-8 with a BOM, so Excel opens Korean text correctly."""
        return ("\ufeff" + super().export_data(dataset, **kwargs)).encode("utf-8")


class SafeImportForm(ImportForm):
    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise ValidationError(
                _("The file is too large (max %(max)s MB).")
                % {"max": settings.IMPORT_MAX_BYTES // (1024 * 1024)}
            )
        return upload


# Messages and what the import page shows ----------------------------------------------

NO_ROWS = gettext_lazy("No rows to import: check the header row and the data.")
TOKEN_REFUSED = gettext_lazy(
    "This import cannot be confirmed: upload the file again here, check its preview, then "
    "confirm (a preview can be confirmed once, within an hour, by the same user only)."
)
READ_FAILED = gettext_lazy(
    "The file cannot be read (%(error)s): check that the format (xlsx/csv) is right."
)
AMOUNT_COLUMN = COLUMNS["amount"]


def _column(resource: BudgetFigureResource, key: str | None) -> str:
    """The file's column for a resource or model field name; the amount when unknown."""
    key = MODEL_FIELD_COLUMNS.get(key, key)
    field = resource.fields.get(key) if key else None
    return field.column_name if field is not None else AMOUNT_COLUMN


def import_errors(resource: BudgetFigureResource, result) -> list[dict]:
    """Every problem of a checked file as (row, column, message), rows as the sheet numbers them."""
    errors = [
        {"row": None, "column": "", "message": str(error.error)} for error in result.base_errors
    ]
    for number, row_errors in result.row_errors():
        errors += [
            {"row": file_row(number), "column": "", "message": str(error.error)}
            for error in row_errors
        ]
    for invalid in result.invalid_rows:
        for key, messages in invalid.error_dict.items():
            for message in messages:
                errors.append(
                    {
                        "row": file_row(invalid.number),
                        "column": _column(resource, key) if key != "__all__" else "",
                        "message": message,
                    }
                )
    return sorted(errors, key=lambda e: e["row"] or 0)


def service_errors(resource: BudgetFigureResource, refused) -> list[dict]:
    """The service's refusals, each put on the row of the cell it is about.

    The service names a sub-project; within it, the row is the one whose table the
    message names first (e.g. 확보금액 for "secured above the current total"), else the
    sub-project's first row in the file.
    """
    errors = []
    for pk, error in refused.errors.items():
        rows = resource.rows_by_project.get(pk, [(None, "")])
        by_key = error.error_dict.items() if hasattr(error, "error_dict") else [(None, error)]
        for key, messages in by_key:
            for message in ValidationError(messages).messages:
                named = [
                    (message.find(table), row) for row, table in rows if table and table in message
                ]
                row = min(named)[1] if named else rows[0][0]
                errors.append({"row": row, "column": _column(resource, key), "message": message})
    return sorted(errors, key=lambda e: e["row"] or 0)


def import_preview(rows: list[PreviewRow]) -> dict:
    """Changed and new rows first (old → new per cell), unchanged rows after, counted."""
    changed = [row for row in rows if row.status != "skip"]
    return {
        "changed": changed,
        "unchanged": [row for row in rows if row.status == "skip"],
        "new_count": sum(row.status == "new" for row in changed),
        "update_count": sum(row.status == "update" for row in changed),
    }


class ImportConfirmForm(forms.Form):
    """The confirm step sends back only the token its dry run issued (never a file name)."""

    import_token = forms.CharField(widget=forms.HiddenInput, max_length=64)
