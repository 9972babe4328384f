"""The open-data shape of pledges (JSON API, CSV), amounts in 백만원, unpublished as null."""

from django.http import HttpRequest
from django.utils import translation

from budgets.finance import PledgeMoney, as_number, closed_through
from pledges.models import ATTRIBUTES, Pledge

LIST_FIELDS = [
    "code",
    "title",
    "term",
    "vision",
    "department",
    "stage",
    "stage_name",
    "budget_type",
    "target_year",
    "url",
    "current_total",
    "secured_total",
    "executed_total",
    "prior_invested",
    "executed_cumulative",
    "execution_rate",
    "execution_rate_in_term",
    "stage_inferred",
    "updated_at",
]


def pledge_summary(pledge: Pledge, request: HttpRequest) -> dict:
    """One row of the list (API, CSV), from the pledge's stored totals."""
    with translation.override("ko"):
        return {
            "code": pledge.code,
            "title": pledge.title,
            "term": pledge.term.name,
            "vision": f"{pledge.vision.number} {pledge.vision.title}",
            "department": pledge.department.name,
            "stage": pledge.stage,
            "stage_name": pledge.get_stage_display(),
            "budget_type": pledge.budget_type,
            "target_year": pledge.target_year,
            "url": request.build_absolute_uri(pledge.get_absolute_url()),
            "current_total": pledge.current_total,
            "secured_total": pledge.secured_total,
            "executed_total": pledge.executed_total,
            "prior_invested": pledge.prior_invested,
            "executed_cumulative": pledge.executed_cumulative,
            "execution_rate": as_number(pledge.execution_rate),
            "execution_rate_in_term": as_number(pledge.execution_rate_in_term),
            "stage_inferred": pledge.is_inferred("stage"),
            "updated_at": pledge.updated_at.isoformat(),
        }


def pledge_detail(pledge: Pledge, money: PledgeMoney, request: HttpRequest) -> dict:
    """Everything on a pledge card, figures rolled up from its sub-projects."""
    with translation.override("ko"):
        through = closed_through(pledge.as_of)
        total = money.total.as_dict(closed_through=through)
        return {
            "code": pledge.code,
            "title": pledge.title,
            "term": {"number": pledge.term.number, "name": pledge.term.name},
            "vision": {
                "number": pledge.vision.number,
                "title": pledge.vision.title,
                "subtitle": pledge.vision.subtitle,
            },
            "department": pledge.department.name,
            "stage": pledge.stage,
            "stage_name": pledge.get_stage_display(),
            "stage_inferred": pledge.is_inferred("stage"),
            "target": {"year": pledge.target_year, "goal": pledge.target},
            "objective": pledge.objective,
            "overview": pledge.overview,
            "attributes": {
                name: {
                    "value": getattr(pledge, name) or None,
                    "name": getattr(pledge, f"get_{name}_display")() or None,
                    "inferred": pledge.is_inferred(name),
                    "reason": getattr(pledge, f"{name}_inference") or None,
                }
                for name in ATTRIBUTES
            },
            "unit": "백만원",
            "finance": total["finance"],
            "investment": total["investment"],
            "projects": [
                {"name": project.name, **finance.as_dict(closed_through=through)}
                for project, finance in money.projects
            ],
            "plans": [
                {
                    "period": plan.period,
                    "project": plan.project.name if plan.project else None,
                    "text": plan.text,
                }
                for plan in pledge.year_plans.all()
            ],
            "milestones": [
                {
                    "date": m.date_text,
                    "start": m.start.isoformat() if m.start else None,
                    "end": m.end.isoformat() if m.end else None,
                    "precision": m.start_precision or None,
                    "project": m.project.name if m.project else None,
                    "note_of": m.parent.position if m.parent else None,
                    "status": m.status_on(pledge.as_of) or None,
                    "text": m.text,
                }
                for m in pledge.milestones.all()
            ],
            "officials": [
                {
                    "role": link.official.role,
                    "role_name": link.official.get_role_display(),
                    "name": link.official.name or None,
                    "phone": link.official.phone or None,
                    "note": link.note or None,
                }
                for link in pledge.pledgeofficial_set.all()
            ],
            "progress": [
                {
                    "indicator": c.indicator,
                    "period": c.period,
                    "category": c.category or None,
                    "value": c.value,
                    "note": c.note or None,
                }
                for c in pledge.progress.all()
            ],
            "problems": pledge.problems,
            "as_of": pledge.as_of.isoformat(),
            "as_of_precision": pledge.as_of_precision or None,
            "as_of_printed": pledge.as_of_printed or None,
            "updated_at": pledge.updated_at.isoformat(),
            "source": pledge.source,
            "url": request.build_absolute_uri(pledge.get_absolute_url()),
        }
