"""The stored search texts get their section marks (``pledges.models.SEARCH_SECTION_MARKS``).

The search's rank (0 code or title, 1 target, 2 the card's own texts, 3 the rest) was read
from the published change-history row, three subqueries per matched row: at 50,000 pledges a
word found in the milestones of nine cards in ten ranked its 44,000 matches in 180 ms. The
text is written in that order already; a mark line now ends each of the first three
sections, and the rank is where the word first occurs in the text.

Here the marks are put into the texts there are, both the pledges' and the published
summaries' copies: after the lines of the card's own texts, matched line for line against
the card as published or the live card (``marks_add``). The next publication rebuilt the
text whole.

A never-published pledge's text matching neither was made again here from its live card,
by ``pledges.services.pledge_search_texts``; that code is gone, and so are both columns
(``publications`` migration 0016 drops the published summaries, ``pledges`` migration 0026
the pledge's text), so such a text is now left as it was and this migration imports no
application code.
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


def _lines(row: dict) -> list[list[str]]:
    """The lines each section's texts make in a search text (``search_text_join``)."""
    return [
        [
            " ".join((row[name] or "").split()).upper()
            for name in section
            if (row[name] or "").strip()
        ]
        for section in SECTIONS
    ]


def _with_marks(text: str, counts: list[int]) -> str:
    lines = text.split("\n") if text else []
    out, at = [], 0
    for count, mark in zip(counts, MARKS, strict=True):
        out += [*lines[at : at + count], mark]
        at += count
    return "\n".join(out + lines[at:])


def _marked(text: str, *rows: dict) -> str | None:
    """``text`` with its marks: after the lines of the first of ``rows`` whose non-blank
    texts begin it, line for line; None when none does."""
    if any(mark in text for mark in MARKS):
        return text
    lines = text.split("\n") if text else []
    for row in rows:
        sections = _lines(row)
        own = [line for section in sections for line in section]
        if lines[: len(own)] == own:
            return _with_marks(text, [len(section) for section in sections])
    return None


def _marked_near(pk: int, text: str, published: dict, live: dict) -> str | None:
    """``text`` marked after the lines of the card as published or live; failing both, for
    a published pledge, after as many lines as the published card's texts (None for one
    never published)."""
    found = _marked(text, *(row for row in (published.get(pk), live[pk]) if row))
    if found is None and pk in published:
        found = _with_marks(text, [len(section) for section in _lines(published[pk])])
    return found


def marks_add(apps, schema_editor):
    """Each text is marked after the lines of the card it was made from: as published, or
    the live card (a department rename rebuilds the text from it). A published text made
    from neither (a card edited since) is marked after as many lines as the published
    card's texts, as near as can be told, and its next publication makes it whole; a
    never-published one is left as it was (its text is nowhere public; see the module's
    note)."""
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

        texts = {
            pk: marked
            for pk, text in Pledge.objects.filter(pk__in=batch).values_list("pk", "search_text")
            if (marked := _marked_near(pk, text, rows, live)) is not None
        }
        Pledge.objects.bulk_update(
            [Pledge(pk=pk, search_text=text) for pk, text in texts.items()], ["search_text"]
        )
        summaries = [
            Published(pledge_id=pk, search_text=_marked_near(pk, text, rows, live))
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
