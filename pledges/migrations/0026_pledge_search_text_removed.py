"""The pledge's own search text goes: the public search reads the published snapshots'.

``Pledge.search_text`` (0015) was kept for the live search on pledges, which nothing
called once every public read came from ``publications.Publication`` (its own
``search_text``, with its own trigram index). On PostgreSQL the column's trigram index
(0015) and its two-character pieces (0016, 0018: the ``search_bigrams`` column and its GIN
index) were dropped by 0019 already; they are dropped here again, if they exist, before the
column, so a database that kept them still migrates. Then the pieces' function
``paju_bigrams`` (0016), which nothing calls any more. SQLite had none of them.

After ``publications`` 0016: the published summaries' migrations read this column
(0006 copied it, 0010 marked it) and their pieces called ``paju_bigrams`` (0006 to 0011);
0016 dropped their table. So undoing any of them first undoes this, which puts back the
function (with 0019's body) and an empty column: nothing fills it.
"""

from django.db import migrations

INDEXES = ("pledges_pledge_search_text_trgm", "pledges_pledge_search_bigrams")

# As pledges 0019 left it.
FUNCTION = r"""
CREATE OR REPLACE FUNCTION paju_bigrams(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(string_agg(substr(run, i, 2), ' '), '')
  FROM regexp_split_to_table(t, '[[:space:]!-/:-@\[-`{-~]+') AS run,
       generate_series(1, length(run) - 1) AS i
$$
"""


def indexes_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{index}"')
    schema_editor.execute("ALTER TABLE pledges_pledge DROP COLUMN IF EXISTS search_bigrams")


def function_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS paju_bigrams(text)")


def function_create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)


class Migration(migrations.Migration):
    dependencies = [
        ("pledges", "0025_english_choice_labels"),
        ("publications", "0016_published_snapshots"),
    ]

    operations = [
        # Undone to 0019's state: no search index on the pledges' table.
        migrations.RunPython(indexes_drop, migrations.RunPython.noop),
        migrations.RemoveField(model_name="pledge", name="search_text"),
        migrations.RunPython(function_drop, function_create),
    ]
