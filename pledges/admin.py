from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from departments.scoping import DepartmentScopedAdminMixin, DepartmentScopedInlineMixin

from .forms import PledgeAdminForm
from .models import (
    Milestone,
    Pledge,
    PledgeOfficial,
    ProgressCount,
    Project,
    RelatedMaterial,
    Term,
    Vision,
    WorkPlanLink,
    YearPlan,
)


@admin.register(Term)
class TermAdmin(SimpleHistoryAdmin):
    list_display = ["name", "number", "start", "end", "is_current"]


@admin.register(Vision)
class VisionAdmin(SimpleHistoryAdmin):
    list_display = ["number", "title", "subtitle", "term"]
    list_filter = ["term"]


class ProjectInline(DepartmentScopedInlineMixin, admin.StackedInline):
    department_path = "pledge__department"
    model = Project
    extra = 0
    show_change_link = True


class YearPlanInline(DepartmentScopedInlineMixin, admin.TabularInline):
    department_path = "pledge__department"
    model = YearPlan
    extra = 0


class MilestoneInline(DepartmentScopedInlineMixin, admin.TabularInline):
    department_path = "pledge__department"
    model = Milestone
    extra = 0
    fields = ["position", "project", "parent", "date_text", "start", "end", "open_ended", "text"]


class PledgeOfficialInline(DepartmentScopedInlineMixin, admin.TabularInline):
    department_path = "pledge__department"
    model = PledgeOfficial
    extra = 0
    autocomplete_fields = ["official"]


class WorkPlanLinkInline(DepartmentScopedInlineMixin, admin.TabularInline):
    department_path = "pledge__department"
    model = WorkPlanLink
    extra = 0
    autocomplete_fields = ["item"]


class RelatedMaterialInline(DepartmentScopedInlineMixin, admin.StackedInline):
    department_path = "pledge__department"
    model = RelatedMaterial
    extra = 0


class ProgressCountInline(DepartmentScopedInlineMixin, admin.TabularInline):
    department_path = "pledge__department"
    model = ProgressCount
    extra = 0


_ATTRIBUTE_FIELDS = [
    ("project_type", "project_type_inference"),
    ("implementer", "implementer_inference"),
    ("completion", "completion_inference"),
    ("budget_type", "budget_type_inference"),
    ("central_support", "central_support_inference"),
]


@admin.register(Pledge)
class PledgeAdmin(DepartmentScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["code", "title", "department", "stage", "target_year", "updated_at"]
    list_display_links = ["code", "title"]
    list_filter = ["term", "vision", "department", "stage", "budget_type"]
    search_fields = ["code", "title"]
    list_select_related = ["department"]
    date_hierarchy = "updated_at"
    form = PledgeAdminForm
    readonly_fields = ["stage_since"]
    fieldsets = [
        (None, {"fields": ["term", "vision", "code", "title", "index_title", "department"]}),
        (
            _("Stage"),
            {"fields": [("stage", "stage_inference"), "stage_changed_on", "stage_since"]},
        ),
        (_("Attributes"), {"fields": _ATTRIBUTE_FIELDS}),
        (
            _("Target and texts"),
            {"fields": ["target_year", "target", "objective", "overview", "plan_note", "problems"]},
        ),
        (_("Source"), {"fields": ["as_of", "as_of_note", "source"]}),
        (_("Saving"), {"fields": ["change_reason", "version"]}),
    ]
    inlines = [
        ProjectInline,
        YearPlanInline,
        MilestoneInline,
        PledgeOfficialInline,
        WorkPlanLinkInline,
        RelatedMaterialInline,
        ProgressCountInline,
    ]

    def save_model(self, request, obj, form, change):
        if form.cleaned_data.get("stage_changed_on") and "stage" in form.changed_data:
            obj.stage_since = form.cleaned_data["stage_changed_on"]
        obj._change_reason = form.cleaned_data.get("change_reason", "")
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        """Inline rows carry the card's change reason into their history too."""
        reason = form.cleaned_data.get("change_reason", "")
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj._change_reason = reason
            obj.delete()
        for obj in instances:
            obj._change_reason = reason
            obj.save()
        formset.save_m2m()


@admin.register(Project)
class ProjectAdmin(DepartmentScopedAdminMixin, SimpleHistoryAdmin):
    department_path = "pledge__department"
    list_display = ["pledge", "name", "position"]
    list_filter = ["pledge__department"]
    search_fields = ["pledge__code", "pledge__title", "name"]
    list_select_related = ["pledge"]
