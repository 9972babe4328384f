from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin

from departments.admin_guard import DELETE_REASON, GuardedAdmin
from departments.scoping import DepartmentScopedAdminMixin, is_department_staff, user_departments
from pledges.models import Pledge, Project

from .forms import BudgetFigureForm, ProjectFiguresForm
from .models import BudgetFigure
from .quality import contexts_for, pledge_findings
from .resources import BudgetFigureResource, ImportRefused, SafeCSV, SafeImportForm, SafeXLSX
from .services import project_figures_update


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
                    _("%(count)s개 수치를 바꿨습니다. / %(count)s figures changed.")
                    % {"count": len(changes)},
                )
                for warning in form.warnings():
                    messages.warning(request, warning)
                return HttpResponseRedirect(
                    reverse("admin:budgets_budgetfigure_grid", args=[project.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "title": _("%(project)s 금액 / Money of %(project)s") % {"project": project},
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
        context = {
            **self.admin_site.each_context(request),
            "title": _("%(pledge)s 자료 점검 결과 / Data-quality findings of %(pledge)s")
            % {"pledge": pledge},
            "opts": self.model._meta,
            "pledge": pledge,
            "findings": pledge_findings(contexts_for([pledge])[0]),
            "pledge_url": reverse("admin:pledges_pledge_change", args=[pledge.pk]),
        }
        return TemplateResponse(request, "admin/budgets/budgetfigure/findings.html", context)

    # -- import ---------------------------------------------------------------------------
    def get_import_resource_kwargs(self, request, **kwargs):
        return {**super().get_import_resource_kwargs(request, **kwargs), "user": request.user}

    def get_import_data_kwargs(self, **kwargs):
        # Any invalid row and nothing is written, on the confirm step as in the dry run.
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, ImportRefused):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)
