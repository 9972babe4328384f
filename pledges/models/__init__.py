"""Mayoral terms, visions, pledges, their sub-projects, milestones and published progress.

One module per part of the card; everything is importable from ``pledges.models``.
"""

from .card import (
    Milestone,
    PledgeAdjustment,
    PledgeOfficial,
    ProgressCount,
    RelatedMaterial,
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
    ProjectType,
    Stage,
    StageProvenance,
    printed_date,
)
from .pledge import (
    SEARCH_SECTION_MARKS,
    SEARCH_SECTION_TAGS,
    Pledge,
    PledgeManager,
    PledgeQuerySet,
    bigram_exact,
    code_sort_key,
    hangul,
    search_text_join,
    search_words,
    section_pieces,
    word_pieces,
)
from .projects import Project, ProjectManager, YearPlan
from .terms import Term, TermManager, Vision
from .version import PublicVersion

__all__ = [
    "SEARCH_SECTION_MARKS",
    "SEARCH_SECTION_TAGS",
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
    "RelatedMaterial",
    "Stage",
    "StageProvenance",
    "Term",
    "TermManager",
    "Vision",
    "WorkPlanLink",
    "YearPlan",
    "bigram_exact",
    "code_sort_key",
    "hangul",
    "printed_date",
    "search_text_join",
    "search_words",
    "section_pieces",
    "word_pieces",
]
