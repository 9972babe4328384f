from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from departments.scoping import DepartmentScopedAdminMixin
from pledges.admin import ProjectAdmin as BaseProjectAdmin
from pledges.models import Project

from .forms import ProjectFiguresForm
from .models import BudgetFigure
from .services import project_figures_update

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


@admin.register(BudgetFigure)
class BudgetFigureAdmin(DepartmentScopedAdminMixin, SimpleHistoryAdmin):
    department_path = "project__pledge__department"
    list_display = ["project", "kind", "source", "period", "amount", "note"]
    list_filter = ["kind", "source", "project__pledge__department", "project__pledge"]
    search_fields = ["project__pledge__code", "project__name"]
    list_select_related = ["project__pledge"]
