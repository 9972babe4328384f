"""Reads for the admin home: what a user has to do in the open publication rounds.

- Department staff: their departments' pledges that are not yet published in an open
  round (갱신 필요, 검토 대기, 반려), with the data-quality findings on each and what the
  reviewer wrote when returning one.
- Reviewers, auditors and administrators: every open round's progress per department.

A fixed number of queries whatever the number of pledges (the findings are read in one
batch by ``budgets.quality.contexts_for``).
"""

from dataclasses import dataclass, field

from django.db.models import Case, IntegerField, Value, When

from budgets.quality import Finding, contexts_for, pledge_findings
from departments.scoping import is_department_staff, user_departments

from .models import PledgeReview, PublicationRound, ReviewStatus
from .selectors import round_progress

# What staff see first: a returned draft, then what still needs an update, then drafts
# waiting for the reviewer.
STAFF_ORDER = [ReviewStatus.RETURNED, ReviewStatus.NEEDS_UPDATE, ReviewStatus.DRAFT]


@dataclass
class StaffTask:
    review: PledgeReview
    findings: list[Finding] = field(default_factory=list)


@dataclass
class RoundHome:
    round: PublicationRound
    tasks: list[StaffTask] = field(default_factory=list)  # department staff
    progress: list[dict] = field(default_factory=list)  # everyone else


def progress_rows(round_: PublicationRound) -> list[dict]:
    """``round_progress`` as table rows: the department and its counts in status order."""
    return [
        {
            "department": row["department"],
            "cells": [row[status] for status in ReviewStatus.values],
            "total": row["total"],
        }
        for row in round_progress(round_)
    ]


def open_rounds():
    return PublicationRound.objects.filter(closed_at__isnull=True).select_related("term")


def staff_tasks(user, round_: PublicationRound) -> list[StaffTask]:
    """The user's departments' pledges still to be published in ``round_``, findings attached."""
    order = Case(
        *(When(status=status, then=Value(n)) for n, status in enumerate(STAFF_ORDER)),
        output_field=IntegerField(),
    )
    reviews = list(
        PledgeReview.objects.filter(
            round=round_,
            status__in=STAFF_ORDER,
            pledge__department__in=user_departments(user),
        )
        .select_related("pledge__department", "pledge__term", "returned_by")
        .annotate(staff_order=order)
        .order_by("staff_order", "pledge__sort_key")
    )
    contexts = contexts_for([review.pledge for review in reviews])
    return [
        StaffTask(review=review, findings=pledge_findings(context))
        for review, context in zip(reviews, contexts, strict=True)
    ]


def admin_home(user) -> list[RoundHome]:
    """One entry per open round: the user's tasks (staff) or the progress (the others)."""
    if not user.is_authenticated or not user.is_staff:
        return []
    staff = is_department_staff(user)
    if not staff and not user.has_perm("publications.view_pledgereview"):
        return []
    return [
        RoundHome(round=round_, tasks=staff_tasks(user, round_))
        if staff
        else RoundHome(round=round_, progress=progress_rows(round_))
        for round_ in open_rounds()
    ]
