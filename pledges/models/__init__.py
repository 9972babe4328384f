"""Mayoral terms, visions, pledges, their sub-projects, milestones and published progress.

One module per part of the card; everything is importable from ``pledges.models``.
"""

from .card import (
    Milestone,
    PledgeAdjustment,
    PledgeOfficial,
    ProgressCount,
    RelatedMaterial,
    SourceNote,
    WorkPlanLink,
)
from .choices import (
    ATTRIBUTES,
    AdjustmentKind,
    BudgetType,
    CentralSupport,
    Completion,
    DatePrecision,
    Implementer,
    MaterialKind,
    MilestoneStatus,
    NoteKind,
    NotePlace,
    ProjectType,
    Stage,
    StageProvenance,
    printed_date,
)
from .pledge import (
    Pledge,
    PledgeManager,
    PledgeQuerySet,
    code_sort_key,
)
from .projects import Project, ProjectManager, YearPlan
from .terms import Term, TermManager, Vision
from .version import PublicVersion

__all__ = [
    "ATTRIBUTES",
    "AdjustmentKind",
    "BudgetType",
    "CentralSupport",
    "Completion",
    "DatePrecision",
    "MilestoneStatus",
    "Implementer",
    "MaterialKind",
    "Milestone",
    "Pledge",
    "PledgeAdjustment",
    "PledgeManager",
    "PledgeOfficial",
    "PledgeQuerySet",
    "ProgressCount",
    "Project",
    "ProjectType",
    "ProjectManager",
    "PublicVersion",
    "NoteKind",
    "NotePlace",
    "RelatedMaterial",
    "SourceNote",
    "Stage",
    "StageProvenance",
    "Term",
    "TermManager",
    "Vision",
    "WorkPlanLink",
    "YearPlan",
    "code_sort_key",
    "printed_date",
]
