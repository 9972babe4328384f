"""What changed between two snapshots of a card, as plain-language lines.

A publication's change list (``Publication.changes``), the reviewer's view of a draft and
the public 변경 이력 are the difference of two payloads (``publications.snapshots``),
field by field: each line a dict ``{kind, label, old, new, reason}`` (figures also carry
``field``, ``unit``), rendered by ``line_text``. Equal values are never listed; a cell
that moved is listed once (the totals and rates computed from it are not lines).
"""

from datetime import date
from typing import Any

from budgets.models import FigureKind, FundingSource
from departments.models import Role
from pledges import periods
from pledges.labels import korean
from pledges.models import AdjustmentKind, NoteKind, Pledge, Stage, printed_date

UNIT = "백만원"

# The card's own fields compared: every field the payload holds but bookkeeping.
SKIPPED_FIELDS = {"id", "sort_key", "term_id"}
# What a stage change's one line says with it (its date, its reason, where it comes from).
STAGE_LINE_FIELDS = {"stage_since", "stage_provenance", "stage_reason", "stage_inference"}
FIELD_LABELS = {
    f.attname: korean(f.verbose_name) for f in Pledge._meta.concrete_fields if f.verbose_name
}
STAGES = {stage.value: stage.label for stage in Stage}

# A card's rows: (payload key, kind of line, Korean label).
ROWS = [
    ("projects", "project", "세부사업"),
    ("year_plans", "plan", "추진계획"),
    ("milestones", "milestone", "추진현황"),
    ("officials", "official", "담당자"),
    ("work_plan_links", "work_plan", "주요업무계획"),
    ("materials", "material", "관련자료"),
    ("progress", "progress", "추진실적"),
    ("adjustments", "adjustment", "공약 조정"),
    ("source_notes", "source_note", "원문 메모"),
]


def _label_of(value: Any, name: str, lookups: dict) -> Any:
    if value is None or value == "":
        return None
    if name == "stage":
        return korean(STAGES.get(value, value))
    if name in lookups:
        return lookups[name].get(value, value)
    return value


def _official_text(row: dict) -> str:
    official = row["official"]
    role = korean(Role(official["role"]).label) if official.get("role") in Role.values else ""
    return " ".join(
        str(part) for part in (role, official.get("name"), official.get("phone")) if part
    )


def _row_text(kind: str, row: dict, names: dict[int, str]) -> str:
    project = names.get(row.get("project_id"), "")
    prefix = f"[{project}] " if project and len(names) > 1 else ""
    if kind == "project":
        return row["name"]
    if kind == "plan":
        until = f"–{periods.label(row['until'])}" if row.get("until") else ""
        return f"{prefix}{periods.label(row['period'])}{until}: {row['text']}"
    if kind == "milestone":
        return f"{prefix}{row['date_text']} {row['text']}".strip()
    if kind == "official":
        return _official_text(row)
    if kind == "work_plan":
        item = row["item"]
        return f"{item['year']}-{item['number']} {item['title']}"
    if kind == "material":
        return f"{prefix}{row['title']}"
    if kind == "adjustment":
        day = date.fromisoformat(row["date"]) if row.get("date") else None
        when = printed_date(day, row["date_precision"]) or "시점 원문에 없음"
        kind_name = korean(AdjustmentKind(row["kind"]).label)
        return f"{kind_name} ({when}): {row['before_text']} → {row['after_text']}"
    if kind == "source_note":
        return f"{korean(NoteKind(row['kind']).label)}: {row['text']}"
    if kind == "progress":
        category = f" {row['category']}" if row["category"] else ""
        return f"{row['indicator']} {periods.label(row['period'])}{category}: {row['value']:,}"
    return str(row)


def _figure_label(key: tuple, names: dict[int, str]) -> str:
    project_id, kind, source, period = key
    parts = []
    if len(names) > 1:
        parts.append(names.get(project_id, ""))
    parts.append(korean(FigureKind(kind).label))
    if source != FundingSource.TOTAL:
        parts.append(korean(FundingSource(source).label))
    parts.append(str(periods.label(period)))
    return " ".join(part for part in parts if part)


KINDS = list(FigureKind.values)  # read once: each read of ``.values`` builds a new list
SOURCES = list(FundingSource.values)


def _figure_order(key: tuple) -> tuple:
    project_id, kind, source, period = key
    return (project_id, KINDS.index(kind), SOURCES.index(source), periods.sort_key(period))


def _figures(card: dict) -> dict[tuple, int]:
    return {
        (row["project_id"], row["kind"], row["source"], row["period"]): row["amount"]
        for row in card.get("figures", [])
    }


def _rows(card: dict, key: str) -> dict[int, dict]:
    """{row id: its values}, without the keys that only place it (its id, its pledge)."""
    return {
        row["id"]: {k: v for k, v in row.items() if k not in ("id", "pledge_id")}
        for row in card.get(key, [])
    }


def card_diff(old: dict | None, new: dict) -> list[dict]:
    """The lines that changed from snapshot ``old`` to ``new`` (``None``: a first
    publication, nothing to compare): the stage with its date and reason, the card's
    fields, figures cell by cell, and rows added, removed or changed."""
    if not old:
        return []
    before_fields, after_fields = old["pledge"], new["pledge"]
    lookups = {
        "department_id": {
            old["department"]["id"]: old["department"]["name"],
            new["department"]["id"]: new["department"]["name"],
        },
        "vision_id": {
            card["vision"]["id"]: f"{card['vision']['number']} {card['vision']['title']}"
            for card in (old, new)
        },
    }
    lines: list[dict] = []
    stage_changed = before_fields.get("stage") != after_fields.get("stage")
    if stage_changed:
        lines.append(
            {
                "kind": "stage",
                "field": "stage",
                "label": "단계",
                "old": _label_of(before_fields.get("stage"), "stage", lookups),
                "new": _label_of(after_fields.get("stage"), "stage", lookups),
                "date": after_fields.get("stage_since"),
                "reason": after_fields.get("stage_reason", ""),
            }
        )
    for name in after_fields:
        if name in SKIPPED_FIELDS or name == "stage":
            continue
        if name in STAGE_LINE_FIELDS and stage_changed:
            continue  # the stage's line says its date and reason
        before, after = before_fields.get(name), after_fields.get(name)
        if before != after:
            lines.append(
                {
                    "kind": "field",
                    "field": name.removesuffix("_id"),
                    "label": FIELD_LABELS.get(name, name),
                    "old": _label_of(before, name, lookups),
                    "new": _label_of(after, name, lookups),
                    "reason": "",
                }
            )
    for key, label, text in (
        ("department", FIELD_LABELS["department_id"], lambda d: f"{d['name']} ({d['name_en']})"),
        ("vision", FIELD_LABELS["vision_id"], lambda v: f"{v['number']} {v['title']}"),
    ):
        before, after = text(old[key]), text(new[key])
        if before != after and not any(line["field"] == key for line in lines):
            lines.append(
                {
                    "kind": "field",
                    "field": key,
                    "label": label,
                    "old": before,
                    "new": after,
                    "reason": "",
                }
            )
    names = {p["id"]: p["name"] for card in (old, new) for p in card.get("projects", [])}
    old_figures, new_figures = _figures(old), _figures(new)
    cells = old_figures.keys() | new_figures.keys()
    moved = [key for key in cells if old_figures.get(key) != new_figures.get(key)]
    for key in sorted(moved, key=_figure_order):
        lines.append(
            {
                "kind": "figure",
                "field": "figure",
                "label": _figure_label(key, names),
                "old": old_figures.get(key),
                "new": new_figures.get(key),
                "unit": UNIT,
                "reason": "",
            }
        )
    for key, kind, row_label in ROWS:
        before_rows, after_rows = _rows(old, key), _rows(new, key)
        for pk in sorted(set(before_rows) | set(after_rows)):
            before, after = before_rows.get(pk), after_rows.get(pk)
            if before == after:
                continue
            old_text = _row_text(kind, before, names) if before else None
            new_text = _row_text(kind, after, names) if after else None
            # the official's own name or phone changed, not who the card names
            contact = (
                kind == "official" and before and after and before["official"] != after["official"]
            )
            label = "담당자 연락처" if contact else row_label
            if old_text == new_text:
                continue  # only bookkeeping moved (an order, a link): nothing a reader sees
            lines.append(
                {
                    "kind": kind,
                    "field": key,
                    "label": label,
                    "old": old_text,
                    "new": new_text,
                    "reason": "",
                }
            )
    return [line for line in lines if line["old"] != line["new"]]


def _amount(value: int | None) -> str:
    return "없음" if value is None else f"{value:,}"


def line_text(line: dict) -> str:
    """One line in plain Korean: "집행금액 2025: 9,459 → 9,466 백만원",
    "단계 추진 → 완료 (2026-03-02), 사유 …", "추진현황 추가: 2026. 3. 준공"."""
    kind, label, old, new = line["kind"], line["label"], line.get("old"), line.get("new")
    if kind == "figure":
        return f"{label}: {_amount(old)} → {_amount(new)} {line.get('unit', UNIT)}"
    if kind == "stage":
        text = f"{label} {old or '없음'} → {new or '없음'}"
        if line.get("date"):
            text += f" ({line['date']})"
        if line.get("reason"):
            text += f", 사유 {line['reason']}"
        return text
    if kind == "field":
        return (
            f"{label}: {old if old is not None else '없음'} → {new if new is not None else '없음'}"
        )
    if old is None:
        return f"{label} 추가: {new}"
    if new is None:
        return f"{label} 삭제: {old}"
    return f"{label} 변경: {old} → {new}"
