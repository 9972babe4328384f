"""The home page and the vision overview: counts, stages and money summed over the term's
standing publications, and the latest publications."""

from django.db.models import Count, F, Max, Q

from pledges.models import (
    Pledge,
    Stage,
    Term,
    Vision,
)

from .published import INFERRED, MONEY_SUMS, published_pledges, standing, with_rate


def home_summary(term: Term) -> dict:
    """Counts per stage (and how many of them inferred), money overall and per department,
    the latest publications: aggregates over the term's standing publications."""
    rows = standing(term)
    per_stage = {
        f"{kind}_{stage.value}": Count("pk", filter=Q(stage=stage.value) & extra)
        for stage in Stage
        for kind, extra in (("stage", Q()), ("inferred", Q(stage_provenance=INFERRED)))
    }
    stats = rows.aggregate(
        count=Count("pk"),
        as_of=Max("as_of"),
        updated=Max("published_at"),
        **MONEY_SUMS,
        **per_stage,
    )
    by_stage = {stage.value: stats.pop(f"stage_{stage.value}") or 0 for stage in Stage}
    inferred = {stage.value: stats.pop(f"inferred_{stage.value}") or 0 for stage in Stage}
    departments = [
        with_rate(row)
        for row in rows.values(name=F("department_name"), name_en=F("department__name_en"))
        .annotate(pledges=Count("pk"), **MONEY_SUMS)
        .order_by("name")
    ]
    return {
        "stats": stats,
        "stages": [
            (stage, by_stage.get(stage.value, 0), inferred.get(stage.value, 0)) for stage in Stage
        ],
        "overall": with_rate(stats),
        "departments": departments,
        "recent": recent_publications(term),
    }


def recent_publications(term: Term, limit: int = 5) -> list[Pledge]:
    """The term's latest publications, newest first (a batch's pledges in card order)."""
    rows = standing(term).select_related("term").order_by("-published_at", "sort_key")[:limit]
    return published_pledges(rows)


def vision_summary(term: Term) -> list[dict]:
    """Each vision of the term with its pledges' count, counts per stage and money: one
    query grouped by vision and stage, summed per vision here (exact integers)."""
    fields = ("number", "title", "subtitle", "title_en", "subtitle_en")
    rows = (
        standing(term)
        .values("vision", *(f"vision__{field}" for field in fields), "stage")
        .annotate(
            n=Count("pk"), guessed=Count("pk", filter=Q(stage_provenance=INFERRED)), **MONEY_SUMS
        )
        .order_by("vision__number", "stage")
    )
    visions: dict[int, dict] = {}
    for row in rows:
        entry = visions.setdefault(
            row["vision"],
            {
                "vision": Vision(pk=row["vision"], **{f: row[f"vision__{f}"] for f in fields}),
                "count": 0,
                "by_stage": [],
                **{key: None for key in MONEY_SUMS},
            },
        )
        entry["count"] += row["n"]
        entry["by_stage"].append((row["stage"], row["n"], row["guessed"]))
        for key in MONEY_SUMS:
            if row[key] is not None:
                entry[key] = (entry[key] or 0) + row[key]
    labels = {stage: str(stage.label) for stage in Stage}  # translated once, not per vision
    return [
        {**with_rate(entry), "stages": _stage_counts(entry.pop("by_stage"), labels)}
        for entry in visions.values()
    ]


def _stage_counts(rows, labels: dict) -> list[tuple[str, str, str, int]]:
    """(stage value, label, count, how many of them are inferred) of every stage in order,
    as a page prints them (the labels translated once per page, ``labels``: {stage: text};
    ``rows``: (stage, count, inferred) in any order)."""
    counts: dict[str, int] = {}
    inferred: dict[str, int] = {}
    for stage, n, guessed in rows:
        counts[stage] = counts.get(stage, 0) + n
        inferred[stage] = inferred.get(stage, 0) + guessed
    return [
        (stage.value, labels[stage], str(counts.get(stage.value, 0)), inferred.get(stage.value, 0))
        for stage in Stage
    ]
