"""The stored search texts get their section marks (``pledges.models.SEARCH_SECTION_MARKS``).

The search's rank (0 code or title, 1 target, 2 the card's own texts, 3 the rest) was read
from the published change-history row, three subqueries per matched row: at 50,000 pledges a
word found in the milestones of nine cards in ten ranked its 44,000 matches in 180 ms. The
text is written in that order already; a mark line now ends each of the first three
sections, and the rank is where the word first occurs in the text.

Here the marks are put into the texts there are, both the pledges' and the published
summaries' copies: after as many lines as the section's texts that are not blank. Those are
read from the published change-history row (the text was made from the card as published),
from the live card for a pledge never published. The next publication rebuilds the text
whole (``pledges.services.pledge_search_texts``).
"""

from django.db import migrations

MARKS = ("\x1c", "\x1d", "\x1e")
SECTIONS = (
    ("code", "title", "title_en", "index_title"),
    ("target", "target_en"),
    ("objective", "overview", "problems", "plan_note"),
)
FIELDS = [name for section in SECTIONS for name in section]
BATCH = 1000


def _marked(text: str, row: dict) -> str:
    if any(mark in text for mark in MARKS):
        return text
    lines = text.split("\n") if text else []
    out, at = [], 0
    for section, mark in zip(SECTIONS, MARKS, strict=True):
        count = sum(1 for name in section if (row.get(name) or "").strip())
        out += [*lines[at : at + count], mark]
        at += count
    return "\n".join(out + lines[at:])


def marks_add(apps, schema_editor):
    Pledge = apps.get_model("pledges", "Pledge")
    History = apps.get_model("pledges", "HistoricalPledge")
    Published = apps.get_model("publications", "PublishedPledge")
    published = dict(Published.objects.values_list("pledge_id", "history_id"))
    ids = list(Pledge.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        live = {row["id"]: row for row in Pledge.objects.filter(pk__in=batch).values("id", *FIELDS)}
        rows = {
            row["id"]: row
            for row in History.objects.filter(
                history_id__in=[published[pk] for pk in batch if pk in published]
            ).values("id", *FIELDS)
        }
        pledges = [
            Pledge(pk=pk, search_text=_marked(text, rows.get(pk, live[pk])))
            for pk, text in Pledge.objects.filter(pk__in=batch).values_list("pk", "search_text")
        ]
        Pledge.objects.bulk_update(pledges, ["search_text"])
        summaries = [
            Published(pledge_id=pk, search_text=_marked(text, rows.get(pk, live[pk])))
            for pk, text in Published.objects.filter(pledge_id__in=batch).values_list(
                "pledge_id", "search_text"
            )
        ]
        Published.objects.bulk_update(summaries, ["search_text"])


def marks_remove(apps, schema_editor):
    for app, name in (("pledges", "Pledge"), ("publications", "PublishedPledge")):
        model = apps.get_model(app, name)
        rows = []
        for pk, text in model.objects.values_list("pk", "search_text").iterator():
            kept = "\n".join(line for line in text.split("\n") if line not in MARKS)
            rows.append(model(pk=pk, search_text=kept))
        model.objects.bulk_update(rows, ["search_text"], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("pledges", "0019_search_indexes_to_published"),
        ("publications", "0009_published_word_counts"),
    ]

    operations = [migrations.RunPython(marks_add, marks_remove)]
