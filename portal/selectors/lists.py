"""The pledge list: the filtered standing publications, and what each row of a page
prints beside its columns (where a search matched, its status line, its adjustments)."""

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext as _

from pledges.forms import PledgeFilterForm
from pledges.models import AdjustmentKind, Pledge, Term
from publications.models import Publication

from ..filters import PledgeFilter
from .published import INFERRED, standing


def inferred_stages(term: Term) -> QuerySet[Publication]:
    """The term's standing publications whose stage is inferred (추정), in card order."""
    return standing(term).filter(stage_provenance=INFERRED).columns().order_by("sort_key")


def pledges_filtered(
    query: QueryDict, term: Term
) -> tuple[PledgeFilterForm, QuerySet[Publication]]:
    """The list's filter form bound to the query string, and the standing publications it
    selects, in its order (``published_pledges`` reads a page of them)."""
    data = query.copy()
    data["term"] = term.number  # the term shown, also when the URL names none
    names = standing(term).order_by("department_name").values_list("department_name", flat=True)
    filters = PledgeFilter(
        data, standing(term).select_related("term"), term=term, departments=names.distinct()
    )
    return filters.form, filters.qs  # an unreadable value is ignored, not refused


SNIPPET_RADIUS = 40


def _snippet(text: str, needle: str) -> str | None:
    """The words around the first match, trimmed with … where cut; None when absent."""
    at = text.casefold().find(needle.casefold())
    if at < 0:
        return None
    start, end = max(at - SNIPPET_RADIUS, 0), min(at + len(needle) + SNIPPET_RADIUS, len(text))
    piece = " ".join(text[start:end].split())
    return f"{'…' if start else ''}{piece}{'…' if end < len(text) else ''}"


def search_matches(pledges: list[Pledge], text: str) -> dict[int, dict]:
    """For each pledge of a result page (``published_pledge``), where the search text was
    found and the words around it ({"where": label, "text": snippet}), in the order the
    search ranks fields: the whole phrase, else its first word."""
    words = (text or "").split()
    if not words:
        return {}
    phrase = " ".join(words)
    result = {}
    for pledge in pledges:
        card = pledge.card
        candidates = [
            (_("Title"), pledge.title),
            (_("Title"), pledge.title_en),
            (_("Target"), pledge.target),
            (_("Target"), pledge.target_en),
            (_("Objective"), pledge.objective),
            (_("Overview"), pledge.overview),
            (_("Problems and measures"), pledge.problems),
            (_("Plan per year"), pledge.plan_note),
            *((_("Sub-project"), text) for p in card.projects for text in (p.name, p.overview)),
            *((_("Plan per year"), plan.text) for plan in card.year_plans),
            *((_("Milestone"), m.text) for m in card.milestones),
            *(
                (
                    _("Accountable official"),
                    f"{link.official.get_role_display()} {link.official.name}",
                )
                for link in card.officials
            ),
            (_("Department"), pledge.department.name),
            (_("Department"), pledge.department.name_en),
            *((_("Work-plan item"), item.title) for item in card.work_plan_items),
        ]
        for needle in dict.fromkeys([phrase, words[0]]):
            found = next(
                (
                    {"where": where, "text": snippet}
                    for where, field_text in candidates
                    if (snippet := _snippet(field_text or "", needle))
                ),
                None,
            )
            if found:
                result[pledge.pk] = found
                break
    return result


def adjustment_kinds(pledges: list[Pledge]) -> dict[int, list[str]]:
    """For each pledge of a page (``published_pledge``), the kinds of its 공약 조정 as
    published, in the reader's language: the list marks the card "조정: 변경"."""
    kinds: dict[int, list[str]] = {}
    for pledge in pledges:
        for row in pledge.card.adjustments:
            label = str(AdjustmentKind(row.kind).label)
            if label not in kinds.setdefault(pledge.pk, []):
                kinds[pledge.pk].append(label)
    return kinds


def milestone_status(pledges: list[Pledge], today) -> dict[int, dict]:
    """For each pledge (``published_pledge``), its one-line status from its milestones."""
    return {p.pk: status_for(p, p.card.milestones, today) for p in pledges}


def status_for(pledge: Pledge, milestones, today) -> dict:
    """The status line of a pledge, read at its data's as-of date (or today, if earlier): a
    milestone dated after the card's as-of date is still a plan, whatever today is."""
    when = min(today, pledge.as_of) if pledge.as_of else today
    return status_of(milestones, when) | {"as_of": when}


def status_of(milestones, today) -> dict:
    """The latest milestone that has started by ``today`` and the earliest one after it."""
    dated = sorted((m for m in milestones if m.start and not m.parent_id), key=lambda m: m.start)
    past = [m for m in dated if m.start <= today]
    upcoming = [m for m in dated if m.start > today]
    return {"last": past[-1] if past else None, "next": upcoming[0] if upcoming else None}
