from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from simple_history.admin import SimpleHistoryAdmin

from departments.scoping import DepartmentScopedAdminMixin
from pledges.admin import PledgeAdmin as BasePledgeAdmin
from pledges.admin import ProjectAdmin as BaseProjectAdmin
from pledges.models import Pledge, Project

from .forms import ProjectFiguresForm
from .models import BudgetFigure
from .quality import contexts_for, pledge_findings
from .resources import (
    NO_ROWS,
    READ_FAILED,
    TOKEN_REFUSED,
    BudgetFigureResource,
    ImportConfirmForm,
    ImportRefused,
    SafeCSV,
    SafeImportForm,
    SafeXLSX,
    import_errors,
    import_preview,
    service_errors,
)
from .services import (
    FiguresImportRefused,
    figures_import,
    pledge_totals_refresh,
    project_figures_update,
)
from .uploads import upload_claim, upload_release, upload_store, uploads_purge

# The pledge page shows its data-quality findings; they need the money (budgets).
admin.site.unregister(Pledge)


@admin.register(Pledge)
class PledgeAdmin(BasePledgeAdmin):
    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None:
            fieldsets.insert(1, (_("Data-quality findings"), {"fields": ["findings"]}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "findings"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        pledge_totals_refresh(pledge_ids=[form.instance.pk])  # a deleted sub-project's money

    @admin.display(description=_("findings"))
    def findings(self, obj):
        found = pledge_findings(contexts_for([obj])[0])
        if not found:
            return _("없음 / none")
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li><code>{}</code> {} {}</li>",
                ((f.rule, f.project, f.explanation) for f in found),
            ),
        )


# Money hangs off sub-projects: the sub-project page edits its figures as a grid laid
# out like the printed tables.
admin.site.unregister(Project)


@admin.register(Project)
class ProjectAdmin(BaseProjectAdmin):
    form = ProjectFiguresForm
    change_form_template = "admin/budgets/project/change_form.html"
    fieldsets = [
        (None, {"fields": ["pledge", "name", "position", "overview"]}),
        (_("Saving"), {"fields": ["change_reason", "version"]}),
    ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        base = super().get_form(request, obj, change=change, **kwargs)
        allow_unpublish = request.user.has_perm("budgets.delete_budgetfigure")
        editable = self.has_change_permission(request, obj)

        class Form(base):
            def __init__(self, *args, **form_kwargs):
                super().__init__(
                    *args, allow_unpublish=allow_unpublish, editable=editable, **form_kwargs
                )

        return Form

    def save_model(self, request, obj, form, change):
        reason = form.cleaned_data.get("change_reason", "")
        obj._change_reason = reason
        super().save_model(request, obj, form, change)
        if change:
            changes = project_figures_update(
                project=obj,
                cells=form.cells(),
                reason=reason,
                allow_unpublish=form.allow_unpublish,
            )
            if changes:
                messages.info(
                    request,
                    _("%(count)s개 수치를 바꿨습니다. / %(count)s figures changed.")
                    % {"count": len(changes)},
                )
            for warning in form.warnings():
                messages.warning(request, warning)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        pledge_totals_refresh(pledge_ids=[obj.pledge_id])

    def delete_queryset(self, request, queryset):
        pledge_ids = set(queryset.values_list("pledge_id", flat=True))
        super().delete_queryset(request, queryset)
        pledge_totals_refresh(pledge_ids=pledge_ids)


@admin.register(BudgetFigure)
class BudgetFigureAdmin(DepartmentScopedAdminMixin, ImportExportMixin, SimpleHistoryAdmin):
    """Figures one cell a row, with Excel/CSV import (dry run first) and export."""

    department_path = "project__pledge__department"
    resource_classes = [BudgetFigureResource]
    import_formats = [SafeXLSX, SafeCSV]
    export_formats = [SafeXLSX, SafeCSV]
    import_form_class = SafeImportForm

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        pledge_totals_refresh(pledge_ids=[obj.project.pledge_id])

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        pledge_totals_refresh(pledge_ids=[obj.project.pledge_id])

    def delete_queryset(self, request, queryset):
        pledge_ids = set(queryset.values_list("project__pledge_id", flat=True))
        super().delete_queryset(request, queryset)
        pledge_totals_refresh(pledge_ids=pledge_ids)

    # Import: dry run, then a confirm that sends back only the dry run's token -----------

    import_template_name = "admin/budgets/budgetfigure/import.html"

    def import_action(self, request, **kwargs):
        """Check the uploaded file and preview it; a clean file gets a confirm token."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        uploads_purge()
        form = self.create_import_form(request)
        context = {}
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["import_file"]
            file_format = int(form.cleaned_data["format"])
            data = b"".join(upload.chunks())
            context = self._import_check(request, data, file_format, upload.name)
            if context.get("file_error"):
                form.add_error("import_file", context["file_error"])
            elif context["ok"]:
                token = upload_store(
                    request,
                    data=data,
                    file_format=file_format,
                    original_name=upload.name,
                    versions=context["resource"].versions,
                )
                context["confirm_form"] = ImportConfirmForm(initial={"import_token": token})
        return self._import_page(request, form, context)

    def process_import(self, request, **kwargs):
        """Apply the file this session's own dry run checked, named only by its token."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        uploads_purge()
        form = self._empty_import_form(request)
        pending = upload_claim(request, token=request.POST.get("import_token", ""))
        if pending is None:
            return self._import_page(request, form, {"refusal": TOKEN_REFUSED}, status=400)
        try:
            context = self._import_check(
                request,
                pending.path.read_bytes(),
                pending.file_format,
                pending.original_name,
                versions=pending.versions,
                write=True,
            )
        finally:
            upload_release(pending)
        if context.get("file_error"):
            context["refusal"] = context["file_error"]
        if not context.get("ok"):
            return self._import_page(request, form, context)
        changes = context["changes"]
        self._log_import(request, context["resource"], changes)
        messages.success(
            request,
            _(
                "가져오기를 마쳤습니다: 수치 %(count)s개를 바꿨습니다. / "
                "The import is done: %(count)s figures were changed."
            )
            % {"count": len(changes)},
        )
        return HttpResponseRedirect(reverse("admin:budgets_budgetfigure_changelist"))

    def _empty_import_form(self, request):
        return self.get_import_form_class(request)(
            self.get_import_formats(), self.get_import_resource_classes(request)
        )

    def _import_check(self, request, data, file_format, name, versions=None, write=False):
        """Read, resolve and validate the file outside any transaction, then run the service.

        ``write=False`` (the dry run) runs the service and rolls it back, so the preview
        refuses exactly what the confirm would.
        """
        try:
            dataset = self.get_import_formats()[file_format]().create_dataset(data)
        except ImportRefused as error:
            return {"file_error": str(error)}
        except Exception as error:  # the parser's own complaint about a malformed file
            return {"file_error": READ_FAILED % {"error": type(error).__name__}}
        if not dataset:
            return {"file_error": NO_ROWS}
        resource = BudgetFigureResource(user=request.user)
        result = resource.import_data(dataset, file_name=name, user=request.user)
        context = {
            "result": result,
            "resource": resource,
            "ok": False,
            "import_errors": import_errors(resource, result),
            "preview": import_preview(resource.preview),
        }
        if context["import_errors"]:
            return context
        if not resource.amounts and not resource.notes:
            context["nothing_to_do"] = True
            return context
        try:
            context["changes"] = figures_import(
                amounts=resource.amounts,
                notes=resource.notes,
                reason=f"엑셀 가져오기 / import: {name}"[:300],
                versions=versions,
                dry_run=not write,
            )
        except FiguresImportRefused as refused:
            context["import_errors"] = service_errors(resource, refused)
            return context
        context["ok"] = True
        return context

    def _import_page(self, request, form, context, status=200):
        context = {
            **self.admin_site.each_context(request),
            **context,
            "title": _("가져오기 / Import"),
            "form": form,
            "opts": self.model._meta,
            "media": self.media + form.media,
            "fields_list": [
                (
                    BudgetFigureResource.get_display_name(),
                    [f.column_name for f in BudgetFigureResource().get_user_visible_fields()],
                )
            ],
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.import_template_name], context, status=status)

    def _log_import(self, request, resource, changes):
        """One admin log entry per changed figure (the audit log line comes from it)."""
        if not changes:
            return
        figures = [
            figure
            for figure in BudgetFigure.objects.filter(project_id__in=resource.amounts)
            if (figure.kind, figure.source, figure.period)
            in resource.amounts.get(figure.project_id, {})
        ]
        if figures:
            LogEntry.objects.log_actions(
                request.user.pk,
                figures,
                CHANGE,
                change_message=_("엑셀 가져오기 / import"),
                single_object=len(figures) == 1,
            )

    list_display = ["project", "kind", "source", "period", "amount", "note"]
    list_filter = ["kind", "source", "project__pledge__department", "project__pledge"]
    search_fields = ["project__pledge__code", "project__name"]
    list_select_related = ["project__pledge"]
