from django.contrib import admin, messages
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
from .resources import BudgetFigureResource, ImportRefused, SafeCSV, SafeImportForm, SafeXLSX
from .services import pledge_totals_refresh, project_figures_update

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

    list_display = ["project", "kind", "source", "period", "amount", "note"]
    list_filter = ["kind", "source", "project__pledge__department", "project__pledge"]
    search_fields = ["project__pledge__code", "project__name"]
    list_select_related = ["project__pledge"]
