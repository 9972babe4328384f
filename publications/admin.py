"""The publication workflow in the admin: rounds, the reviewer's queue, publications.

- 공표 점검 회차 (rounds): the reviewer opens one per term with a due date (``round_open``
  gives every pledge of the term a "갱신 필요" review) and closes it (``round_close``);
  a round's page shows the progress per department.
- 공약 검토 (the queue): one row per pledge and round. Its page shows the pledge's draft
  against its last publication (``pledge_draft_changes``: figures, stage with date and
  reason, milestones, officials) and its data-quality findings; the reviewer publishes it
  with a note or returns it with a comment. From the list, a batch is published (or
  returned) at once. Department staff see their own rows, read-only.
- 공표 기록 (publications): read-only for everyone; only ``publication_publish`` writes them.

Permissions are the role's (``portal/roles.py``) and are checked here on every route:
publishing needs ``publications.add_publication``, a decision on a review
``publications.change_pledgereview``; nobody adds or deletes a review or a publication.
"""

from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from budgets.quality import contexts_for, pledge_findings
from core.admin_guard import GuardedAdmin
from departments.scoping import DepartmentScopedAdminMixin
from pledges.models import Pledge

from .changes import line_text
from .forms import BatchDecisionForm, Decision, ReviewDecisionForm, RoundForm
from .models import PledgeReview, Publication, PublicationRound, ReviewStatus
from .queues import progress_rows
from .selectors import pledge_draft_changes, pledges_with_drafts
from .services import (
    publication_publish,
    publication_return,
    review_mark_draft,
    round_close,
    round_open,
)

# A batch's confirmation page lists the drafts of at most this many pledges in full.
BATCH_SHOWN = 30


def may_publish(request) -> bool:
    return request.user.has_perm("publications.add_publication")


@admin.register(PublicationRound)
class PublicationRoundAdmin(GuardedAdmin):
    """Rounds: opened with a due date (a review per pledge of the term), closed when done."""

    form = RoundForm
    list_display = ["name", "term", "due_on", "is_open", "progress_line", "opened_by"]
    list_filter = ["term"]
    search_fields = ["name"]
    list_select_related = ["term", "opened_by"]
    actions = ["close_rounds"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["term", "name", "due_on"]
        return [
            "term",
            "name",
            "due_on",
            "opened_by",
            "opened_at",
            "closed_at",
            "progress",
            "change_reason",
            "version",
        ]

    def get_readonly_fields(self, request, obj=None):
        fixed = ["term", "opened_by", "opened_at", "closed_at", "progress"] if obj else []
        return [*super().get_readonly_fields(request, obj), *fixed]

    def has_delete_permission(self, request, obj=None):
        return False  # a round is part of the record: it is closed, never deleted

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        opened = round_open(term=obj.term, name=obj.name, due_on=obj.due_on, by=request.user)
        obj.pk, obj.opened_at, obj.opened_by = opened.pk, opened.opened_at, opened.opened_by

    @admin.display(description=_("ongoing"), boolean=True)
    def is_open(self, obj: PublicationRound) -> bool:
        return obj.closed_at is None

    @admin.display(description=_("round progress"))
    def progress_line(self, obj: PublicationRound) -> str:
        rows = progress_rows(obj)
        totals = [sum(row["cells"][i] for row in rows) for i in range(len(ReviewStatus))]
        return " · ".join(
            f"{label} {n}" for label, n in zip(ReviewStatus.labels, totals, strict=True)
        )

    @admin.display(description=_("progress per department"))
    def progress(self, obj: PublicationRound) -> str:
        return progress_table(obj)

    @admin.action(description=_("Close the selected rounds"), permissions=["change"])
    def close_rounds(self, request, queryset):
        closed = 0
        for round_ in queryset.filter(closed_at__isnull=True):
            round_close(round=round_, by=request.user)
            closed += 1
        messages.info(
            request,
            ngettext("%(count)s round closed.", "%(count)s rounds closed.", closed)
            % {"count": closed},
        )


def progress_table(round_: PublicationRound) -> str:
    """Per department: how many pledges are in each review status (an HTML table)."""
    head = format_html_join(
        "", "<th scope='col'>{}</th>", ((label,) for label in ReviewStatus.labels)
    )
    rows = format_html_join(
        "",
        "<tr><th scope='row'>{}</th>{}</tr>",
        (
            (
                row["department"],
                format_html_join("", "<td class='numeric'>{}</td>", ((n,) for n in row["cells"])),
            )
            for row in progress_rows(round_)
        ),
    )
    return format_html(
        "<table class='round-progress'><thead><tr><th scope='col'>{}</th>{}</tr></thead>"
        "<tbody>{}</tbody></table>",
        _("department"),
        head,
        rows,
    )


class HasDraftFilter(admin.SimpleListFilter):
    title = _("changed since published")
    parameter_name = "draft"

    def lookups(self, request, model_admin):
        return [("yes", _("yes")), ("no", _("none"))]

    def queryset(self, request, queryset):
        if self.value() not in ("yes", "no"):
            return queryset
        pledges = Pledge.objects.filter(pk__in=queryset.values("pledge_id"))
        drafted = [pledge.pk for pledge in pledges_with_drafts(pledges)]
        if self.value() == "yes":
            return queryset.filter(pledge__in=drafted)
        return queryset.exclude(pledge__in=drafted)


@admin.register(PledgeReview)
class PledgeReviewAdmin(DepartmentScopedAdminMixin, GuardedAdmin):
    """The reviewer's queue: a pledge's draft against its last publication; publish or return."""

    department_path = "pledge__department"
    form = ReviewDecisionForm
    change_form_template = "admin/publications/pledgereview/change_form.html"
    list_display = ["pledge", "department", "round", "status", "comment_short", "updated_at"]
    list_display_links = ["pledge"]
    list_filter = [
        ("round", admin.RelatedOnlyFieldListFilter),
        "status",
        HasDraftFilter,
        ("pledge__department", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["pledge__code", "pledge__title", "pledge__department__name"]
    list_select_related = ["pledge__department", "round"]
    readonly_fields = ["pledge", "round", "status", "comment", "returned_by", "returned_at"]
    fieldsets = [
        (None, {"fields": ["pledge", "round", "status"]}),
        (_("Returned"), {"fields": ["comment", "returned_by", "returned_at"]}),
        (_("decision"), {"fields": ["decision", "message", "draft", "version"]}),
    ]
    actions = ["publish_selected", "return_selected"]

    def get_fieldsets(self, request, obj=None):
        if obj is not None and self.has_change_permission(request, obj):
            return self.fieldsets
        return self.fieldsets[:2]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        changes = {obj.pledge_id: self.draft_of(request, obj)} if obj is not None else {}

        class BoundToDraft(form):
            def __init__(self, *args, **kw):
                super().__init__(*args, changes_now=changes, **kw)

        return BoundToDraft

    def draft_of(self, request, review: PledgeReview) -> list[dict]:
        """The pledge's draft changes, read once per request."""
        cache = request.__dict__.setdefault("_pledge_drafts", {})
        if review.pledge_id not in cache:
            cache[review.pledge_id] = pledge_draft_changes(review.pledge)
        return cache[review.pledge_id]

    # -- permissions -------------------------------------------------------------------
    def has_add_permission(self, request):
        return False  # reviews are made by round_open

    def has_delete_permission(self, request, obj=None):
        return False

    def has_publish_permission(self, request):
        return may_publish(request) and self.has_change_permission(request)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.round.closed_at is not None:
            return False  # a closed round's decisions are history
        return super().has_change_permission(request, obj)

    # -- list ----------------------------------------------------------------------------
    @admin.display(description=_("department"), ordering="pledge__department__name")
    def department(self, obj: PledgeReview):
        return obj.pledge.department

    @admin.display(description=_("reason for return"))
    def comment_short(self, obj: PledgeReview) -> str:
        return (obj.comment[:60] + "…") if len(obj.comment) > 60 else obj.comment

    # -- one pledge: the diff, the findings, the decision ----------------------------------
    def change_view(self, request, object_id, form_url="", extra_context=None):
        review = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if review is not None and self.has_view_permission(request, review):
            extra.update(self.review_context(request, review))
        return super().change_view(request, object_id, form_url, extra)

    def review_context(self, request, review: PledgeReview) -> dict:
        pledge = review.pledge
        return {
            "draft_changes": self.draft_of(request, review),
            "draft_rows": draft_rows(self.draft_of(request, review)),
            "findings": pledge_findings(contexts_for([pledge])[0]),
            "last_publication": pledge.publications.order_by("-published_at").first(),
            "pledge_url": reverse("admin:pledges_pledge_change", args=[pledge.pk]),
            "public_url": pledge.get_absolute_url(),
            "may_mark_ready": self.may_mark_ready(request, review),
            "may_publish": may_publish(request),
        }

    def save_model(self, request, obj, form, change):
        decision = form.cleaned_data["decision"]
        message = form.cleaned_data.get("message", "").strip()
        if decision == Decision.RETURN:
            publication_return(pledge=obj.pledge, round=obj.round, by=request.user, comment=message)
            return
        if not may_publish(request):
            raise PermissionDenied
        published = publication_publish(
            pledges=[obj.pledge], by=request.user, note=message, round=obj.round
        )
        if not published:
            messages.warning(
                request,
                _("Nothing changed since the last publication: nothing was published."),
            )

    def log_change(self, request, obj, message):
        """The admin log (the review's history page) says the decision and its words."""
        returning = request.POST.get("decision") == Decision.RETURN
        text = request.POST.get("message")
        return super().log_change(request, obj, decision_log(returning=returning, text=text))

    # -- the department: "our update is ready" ---------------------------------------------
    def get_urls(self):
        return [
            path(
                "<path:object_id>/ready/",
                self.admin_site.admin_view(self.ready_view),
                name="publications_pledgereview_ready",
            ),
            *super().get_urls(),
        ]

    def may_mark_ready(self, request, review: PledgeReview) -> bool:
        """Who may change the pledge (its department, an administrator) may say its update
        is ready for review, while the round is open and the review not yet decided."""
        return (
            review.round.closed_at is None
            and review.status in (ReviewStatus.NEEDS_UPDATE, ReviewStatus.RETURNED)
            and request.user.has_perm("pledges.change_pledge")
        )

    def ready_view(self, request, object_id):
        review = self._scoped_object(request, object_id)  # another department's: 404
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not request.user.has_perm("pledges.change_pledge"):
            raise PermissionDenied
        if self.may_mark_ready(request, review):
            review_mark_draft(pledge=review.pledge, round=review.round)
            LogEntry.objects.log_actions(
                request.user.pk, [review], CHANGE, change_message="검토 요청 / ready for review"
            )
            self.message_user(
                request,
                _("%(pledge)s is ready for review.") % {"pledge": review.pledge},
                messages.SUCCESS,
            )
        else:
            self.message_user(
                request,
                _(
                    "This pledge cannot be sent for review now (round closed, or already waiting "
                    "or published)."
                ),
                messages.WARNING,
            )
        return HttpResponseRedirect(reverse("admin:index"))

    # -- a batch, from the list ------------------------------------------------------------
    @admin.action(description=_("Publish the selected pledges"), permissions=["publish"])
    def publish_selected(self, request, queryset):
        return self._batch(request, queryset, returning=False)

    @admin.action(description=_("Return the selected pledges"), permissions=["change"])
    def return_selected(self, request, queryset):
        return self._batch(request, queryset, returning=True)

    def _batch(self, request, queryset, *, returning: bool):
        reviews = list(
            queryset.select_related("pledge__department", "round").order_by("pledge__sort_key")
        )
        rounds = {review.round for review in reviews}
        if any(r.closed_at is not None for r in rounds) or len(rounds) != 1:
            self.message_user(
                request,
                _("Only pledges of one open round can be decided together."),
                messages.ERROR,
            )
            return None
        (round_,) = rounds
        shown = reviews[:BATCH_SHOWN]
        changes = {review.pledge_id: self.draft_of(request, review) for review in shown}
        form = BatchDecisionForm(
            request.POST if "apply" in request.POST else None,
            changes_now=changes,
            returning=returning,
        )
        if form.is_valid():
            message = form.cleaned_data["message"].strip()
            try:
                if returning:
                    for review in reviews:
                        publication_return(
                            pledge=review.pledge, round=round_, by=request.user, comment=message
                        )
                    done = _("%(count)s returned.") % {"count": len(reviews)}
                else:
                    published = publication_publish(
                        pledges=[review.pledge for review in reviews],
                        by=request.user,
                        note=message,
                        round=round_,
                    )
                    done = _("%(count)s published (%(skipped)s unchanged, skipped).") % {
                        "count": len(published),
                        "skipped": len(reviews) - len(published),
                    }
            except ValidationError as error:
                form.add_error(None, error)
            else:
                LogEntry.objects.log_actions(
                    request.user.pk,
                    reviews,
                    CHANGE,
                    change_message=decision_log(returning=returning, text=message),
                    single_object=len(reviews) == 1,
                )
                self.message_user(request, done, messages.SUCCESS)
                return HttpResponseRedirect(request.get_full_path())
        context = {
            **self.admin_site.each_context(request),
            "title": _("Return the selected pledges")
            if returning
            else _("Publish the selected pledges"),
            "opts": self.model._meta,
            "round": round_,
            "reviews": reviews,
            "shown": [(review, draft_rows(changes[review.pledge_id])) for review in shown],
            "hidden_count": len(reviews) - len(shown),
            "form": form,
            "returning": returning,
            "action": request.POST.get("action"),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            # "select all N" of the list: sent back as such, not as N ids (a round of
            # 10,000 pledges stays under DATA_UPLOAD_MAX_NUMBER_FIELDS)
            "select_across": request.POST.get("select_across") == "1",
            "today": timezone.localdate(),
        }
        return TemplateResponse(request, "admin/publications/pledgereview/batch.html", context)


def decision_log(*, returning: bool, text: str | None) -> str:
    """The admin log's line for a decision: "반려: 증빙을 첨부해 주세요"."""
    word = "반려 / returned" if returning else "공표 / published"
    text = (text or "").strip()
    return f"{word}: {text}"[:500] if text else word


@admin.register(Publication)
class PublicationAdmin(GuardedAdmin):
    """What was published, when, by whom, with which note and changes: read-only."""

    list_display = ["pledge", "published_at", "kind", "published_by", "round", "note"]
    list_filter = ["kind", ("round", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["pledge__code", "pledge__title", "note"]
    list_select_related = ["pledge", "published_by", "round"]
    date_hierarchy = "published_at"
    fields = ["pledge", "published_at", "kind", "published_by", "round", "note", "change_lines"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("what changed"))
    def change_lines(self, obj: Publication) -> str:
        if not obj.changes:
            return "-"
        return format_html(
            "<ul class='publication-changes'>{}</ul>",
            format_html_join("", "<li>{}</li>", ((line_text(c),) for c in obj.changes)),
        )


def draft_rows(lines: list[dict]) -> list[dict]:
    """Diff lines as the review table shows them: item, published value, draft, note.

    Amounts with thousands separators and their unit; a row added or removed says so; a
    stage change carries its date and reason.
    """

    def shown(line: dict, value) -> str:
        if value is None:
            return "없음" if line["kind"] in ("figure", "stage", "field") else "—"
        if line["kind"] == "figure":
            return f"{value:,} {line.get('unit', '')}".strip()
        return str(value)

    rows = []
    for line in lines:
        note = []
        if line.get("date"):
            note.append(str(line["date"]))
        if line.get("reason"):
            note.append(f"사유 {line['reason']}")
        rows.append(
            {
                "kind": line["kind"],
                "label": line["label"],
                "old": shown(line, line.get("old")),
                "new": shown(line, line.get("new")),
                "note": ", ".join(note),
            }
        )
    return rows
