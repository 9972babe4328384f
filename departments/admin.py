from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin_guard import GuardedAdmin

from .models import Bureau, Department, Official, WorkPlanItem
from .scoping import DepartmentScopedAdminMixin
from .services import department_save, official_save


@admin.register(Bureau)
class BureauAdmin(GuardedAdmin):
    list_display = ["name"]
    search_fields = ["name"]


@admin.register(Department)
class DepartmentAdmin(GuardedAdmin):
    """Departments and their staff (who may edit what): administrators only change them."""

    list_display = ["name", "bureau", "phone"]
    filter_horizontal = ["staff"]
    list_filter = ["bureau"]
    search_fields = ["name"]

    def get_exclude(self, request, obj=None):
        """Who staffs a department (user names, which also help lock a colleague out of
        the login) is for administrators: every other role's form, past versions
        included, leaves the list out."""
        exclude = list(super().get_exclude(request, obj) or [])
        if not request.user.is_superuser:
            exclude.append("staff")
        return exclude

    def save_model(self, request, obj, form, change):
        department_save(department=obj, user=request.user, reason=self.change_reason(form))


@admin.register(Official)
class OfficialAdmin(DepartmentScopedAdminMixin, GuardedAdmin):
    list_display = ["department", "role", "display_name", "phone"]
    list_filter = ["department", "role"]
    search_fields = ["name", "phone", "department__name"]
    list_select_related = ["department"]

    def save_model(self, request, obj, form, change):
        official_save(official=obj, user=request.user, reason=self.change_reason(form))

    @admin.display(description=_("name"))
    def display_name(self, obj: Official) -> str:
        return obj.name or _("(not recoverable)")


@admin.register(WorkPlanItem)
class WorkPlanItemAdmin(GuardedAdmin):
    search_help_text = _("Title or summary")
    list_display = ["year", "department", "number", "title", "budget_amount", "budget_unit"]
    list_display_links = ["title"]
    list_filter = ["year", "department"]
    search_fields = ["title", "summary"]
    list_select_related = ["department"]
