from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin_guard import DELETE_REASON, GuardedAdmin
from departments.scoping import DepartmentScopedAdminMixin, DepartmentScopedInlineMixin

from .forms import PledgeAdminForm, ProjectAdminForm, ProjectInlineForm
from .models import (
    Milestone,
    Pledge,
    PledgeAdjustment,
    PledgeOfficial,
    ProgressCount,
    Project,
    RelatedMaterial,
    SourceNote,
    Term,
    Vision,
    WorkPlanLink,
    YearPlan,
)
from .services import card_row_delete, card_row_save, pledge_save


def _link(url_name: str, obj, text) -> str:
    """A link to a page another app's admin adds for ``obj`` (budgets: money grid, findings).

    By URL name, so pledges never imports the apps built on it; without them, no link.
    """
    if obj is None or obj.pk is None:
        return "-"
    try:
        url = reverse(url_name, args=[obj.pk])
    except NoReverseMatch:
        return "-"
    return format_html('<a href="{}">{}</a>', url, text)


@admin.register(Term)
class TermAdmin(GuardedAdmin):
    list_display = ["name", "number", "start", "end", "is_current"]


@admin.register(Vision)
class VisionAdmin(GuardedAdmin):
    list_display = ["number", "title", "subtitle", "term"]
    list_filter = ["term"]


class ProjectInline(DepartmentScopedInlineMixin, admin.StackedInline):
    department_path = "pledge__department"
    model = Project
    form = ProjectInlineForm
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


class PledgeAdjustmentInline(DepartmentScopedInlineMixin, admin.StackedInline):
    department_path = "pledge__department"
    model = PledgeAdjustment
    extra = 0
    fields = [
        ("kind", "date", "date_precision"),
        "reason",
        ("before_text", "after_text"),
        ("approved_by", "citation"),
    ]


class SourceNoteInline(DepartmentScopedInlineMixin, admin.StackedInline):
    department_path = "pledge__department"
    model = SourceNote
    extra = 0
    fields = [("position", "kind", "place", "project"), "text", "text_en", "citation"]


_ATTRIBUTE_FIELDS = [
    ("project_type", "project_type_inference"),
    ("implementer", "implementer_inference"),
    ("completion", "completion_inference"),
    ("budget_type", "budget_type_inference"),
    ("central_support", "central_support_inference"),
]


@admin.register(Pledge)
class PledgeAdmin(DepartmentScopedAdminMixin, GuardedAdmin):
    list_display = ["code", "title", "department", "stage", "target_year", "updated_at"]
    list_display_links = ["code", "title"]
    list_filter = ["term", "vision", "department", "stage", "budget_type"]
    search_fields = ["code", "title"]
    list_select_related = ["department"]
    date_hierarchy = "updated_at"
    form = PledgeAdminForm
    readonly_fields = [
        "stage_since",
        "stage_provenance",
        "stage_inference",
        "stage_reason",
        "findings",
    ]
    fieldsets = [
        (None, {"fields": ["term", "vision", "code", "title", "index_title", "department"]}),
        (_("Data-quality findings"), {"fields": ["findings"]}),
        (
            _("Stage"),
            {
                "fields": [
                    ("stage", "stage_provenance"),
                    "stage_changed_on",
                    ("stage_since", "stage_reason"),
                    "stage_inference",
                ]
            },
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
        PledgeAdjustmentInline,
        SourceNoteInline,
    ]

    @admin.display(description=_("findings"))
    def findings(self, obj):
        return _link("admin:budgets_budgetfigure_findings", obj, _("see findings"))

    def save_model(self, request, obj, form, change):
        pledge_save(
            pledge=obj,
            stage_changed_on=form.cleaned_data.get("stage_changed_on"),
            user=request.user,
            reason=self.change_reason(form),
        )

    def save_formset(self, request, form, formset, change):
        """Inline rows go through the card's services, with the card's reason in history."""
        reason = self.change_reason(form)
        # A row that carries its own version (a sub-project) is saved against it.
        versions = {
            row.instance.pk: row.cleaned_data.get("version") or ""
            for row in formset.forms
            if "version" in row.fields and row.instance.pk and row.has_changed()
        }
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            card_row_delete(obj=obj, user=request.user, reason=reason or DELETE_REASON)
        for obj in instances:
            card_row_save(
                obj=obj, user=request.user, reason=reason, expected_version=versions.get(obj.pk)
            )
        formset.save_m2m()


@admin.register(Project)
class ProjectAdmin(DepartmentScopedAdminMixin, GuardedAdmin):
    department_path = "pledge__department"
    list_display = ["pledge", "name", "position"]
    list_filter = ["pledge__department"]
    search_fields = ["pledge__code", "pledge__title", "name"]
    list_select_related = ["pledge"]
    form = ProjectAdminForm
    readonly_fields = ["money"]
    fieldsets = [
        (None, {"fields": ["pledge", "name", "position", "overview"]}),
        (_("Money (million won)"), {"fields": ["money"]}),
        (_("Saving"), {"fields": ["change_reason", "version"]}),
    ]

    @admin.display(description=_("money"))
    def money(self, obj):
        return _link("admin:budgets_budgetfigure_grid", obj, _("edit the figures"))

    def save_model(self, request, obj, form, change):
        card_row_save(obj=obj, user=request.user, reason=self.change_reason(form))

    def delete_model(self, request, obj):
        card_row_delete(obj=obj, user=request.user, reason=DELETE_REASON)
