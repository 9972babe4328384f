from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import Bureau, Department, Official, WorkPlanItem
from .scoping import DepartmentScopedAdminMixin


@admin.register(Bureau)
class BureauAdmin(SimpleHistoryAdmin):
    list_display = ["name"]
    search_fields = ["name"]


@admin.register(Department)
class DepartmentAdmin(SimpleHistoryAdmin):
    list_display = ["name", "bureau", "phone"]
    filter_horizontal = ["staff"]
    list_filter = ["bureau"]
    search_fields = ["name"]


@admin.register(Official)
class OfficialAdmin(DepartmentScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["department", "role", "display_name", "phone"]
    list_filter = ["department", "role"]
    search_fields = ["name", "phone", "department__name"]
    list_select_related = ["department"]

    @admin.display(description=_("name"))
    def display_name(self, obj: Official) -> str:
        return obj.name or _("(not recoverable)")


@admin.register(WorkPlanItem)
class WorkPlanItemAdmin(SimpleHistoryAdmin):
    search_help_text = _("Title or summary")
    list_display = ["year", "department", "number", "title", "budget_amount", "budget_unit"]
    list_display_links = ["title"]
    list_filter = ["year", "department"]
    search_fields = ["title", "summary"]
    list_select_related = ["department"]
