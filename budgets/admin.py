from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult
from import_export.admin import ImportExportMixin

from core.admin_guard import DELETE_REASON, GuardedAdmin, read_only
from departments.scoping import DepartmentScopedAdminMixin, is_department_staff, user_departments
from pledges.models import Pledge, Project

from .forms import BudgetFigureForm, ProjectFiguresForm
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
from .services import FiguresImportRefused, figures_import, project_figures_update
from .uploads import upload_claim, upload_release, upload_store, uploads_purge


@admin.register(BudgetFigure)
class BudgetFigureAdmin(DepartmentScopedAdminMixin, ImportExportMixin, GuardedAdmin):
    """Figures one cell a row, with Excel/CSV import (dry run first) and export.

    Also the money grid of a sub-project (``grid/<project id>/``, linked from the
    sub-project's page) and a pledge's data-quality findings (``findings/<pledge id>/``,
    linked from the pledge's page). Every write goes through ``project_figures_update``.
    """

    department_path = "project__pledge__department"
    resource_classes = [BudgetFigureResource]
    import_formats = [SafeXLSX, SafeCSV]
    export_formats = [SafeXLSX, SafeCSV]
    import_form_class = SafeImportForm
    form = BudgetFigureForm

    list_display = ["project", "kind", "source", "period", "amount", "note"]
    list_filter = ["kind", "source", "project__pledge__department", "project__pledge"]
    search_fields = ["project__pledge__code", "project__name"]
    list_select_related = ["project__pledge"]

    def get_readonly_fields(self, request, obj=None):
        # A figure's cell is what it is; a different cell is another figure.
        fixed = ["project", "kind", "source", "period"] if obj is not None else []
        return [*super().get_readonly_fields(request, obj), *fixed]

    def allow_unpublish(self, request) -> bool:
        return request.user.has_perm("budgets.delete_budgetfigure")

    def save_model(self, request, obj, form, change):
        cell = (obj.kind, obj.source, obj.period)
        project_figures_update(
            project=obj.project,
            cells={cell: form.cleaned_data["amount"]},
            notes={cell: form.cleaned_data.get("note", "")},
            reason=self.change_reason(form),
            user=request.user,
        )

    def delete_model(self, request, obj):
        project_figures_update(
            project=obj.project,
            cells={(obj.kind, obj.source, obj.period): None},
            reason=DELETE_REASON,
            allow_unpublish=True,
            user=request.user,
        )

    # -- the grid and the findings, views of this admin ----------------------------------
    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("grid/<int:project_id>/", view(self.grid_view), name="budgets_budgetfigure_grid"),
            path(
                "findings/<int:pledge_id>/",
                view(self.findings_view),
                name="budgets_budgetfigure_findings",
            ),
            *super().get_urls(),
        ]

    def _scoped(self, request, model, pk):
        queryset = model.objects.all()
        if is_department_staff(request.user):
            path_ = "department" if model is Pledge else "pledge__department"
            queryset = queryset.filter(**{f"{path_}__in": user_departments(request.user)})
        obj = queryset.filter(pk=pk).first()
        if obj is None:
            raise Http404
        return obj

    def grid_view(self, request, project_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        get_object_or_404(Project, pk=project_id)
        project = self._scoped(request, Project, project_id)
        editable = self.has_change_permission(request)
        if request.method == "POST" and not editable:
            raise PermissionDenied
        form = ProjectFiguresForm(
            request.POST if request.method == "POST" else None, project=project, editable=editable
        )
        if request.method == "POST" and form.is_valid():
            try:
                changes = project_figures_update(
                    project=project,
                    cells=form.cells(),
                    reason=form.cleaned_data.get("change_reason", ""),
                    allow_unpublish=self.allow_unpublish(request),
                    user=request.user,
                    expected_version=form.cleaned_data.get("version") or "",
                )
            except ValidationError as error:
                form.present(error)
            else:
                messages.info(
                    request,
                    _("%(count)s figures changed.") % {"count": len(changes)},
                )
                for warning in form.warnings():
                    messages.warning(request, warning)
                return HttpResponseRedirect(
                    reverse("admin:budgets_budgetfigure_grid", args=[project.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Money of %(project)s") % {"project": project},
            "opts": self.model._meta,
            "project": project,
            "form": form,
            "editable": editable,
            "project_url": reverse("admin:pledges_project_change", args=[project.pk]),
        }
        return TemplateResponse(request, "admin/budgets/budgetfigure/grid.html", context)

    def findings_view(self, request, pledge_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        get_object_or_404(Pledge, pk=pledge_id)
        pledge = self._scoped(request, Pledge, pledge_id)
        read_only(request)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Data-quality findings of %(pledge)s") % {"pledge": pledge},
            "opts": self.model._meta,
            "pledge": pledge,
            "findings": pledge_findings(contexts_for([pledge])[0]),
            "pledge_url": reverse("admin:pledges_pledge_change", args=[pledge.pk]),
        }
        return TemplateResponse(request, "admin/budgets/budgetfigure/findings.html", context)

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
            _("The import is done: %(count)s figures were changed.") % {"count": len(changes)},
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
                user=request.user,
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
            "title": _("Import"),
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
                change_message=_("import"),
                single_object=len(figures) == 1,
            )


# django-tasks-db registers its task results in the admin; the portal shows a workbook's
# task through its own job pages (owner or superuser only, budgets/views.py), so the raw
# queue (arguments, tracebacks of every user's tasks) is not an admin page.
if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)
