"""Two-character search words use an index on PostgreSQL.

pg_trgm (migration 0015) cannot help a word of two characters (it has no trigram), and
most Korean search words have two ("민원", "센터", "청사"): such a search scanned every
pledge's stored text. This adds an immutable SQL function ``paju_bigrams(text)``, the
distinct two-character pieces of a text that hold no space and no ASCII punctuation,
separated by spaces, and a GIN index on ``to_tsvector('simple', paju_bigrams(search_text))``.
The search (``pledges.models.pledge.search_ranked``) adds ``@@ to_tsquery('simple', word)``
for a two-character word of Hangul syllables, ASCII letters or digits, beside the
``LIKE`` that confirms it: the results are the same, found through the index. SQLite
scans, as before.
"""

from django.db import migrations

INDEX = "pledges_pledge_search_bigrams"

FUNCTION = r"""
CREATE OR REPLACE FUNCTION paju_bigrams(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(string_agg(DISTINCT piece, ' '), '')
  FROM (SELECT substr(t, i, 2) AS piece FROM generate_series(1, length(t) - 1) AS i) AS pieces
  WHERE length(piece) = 2 AND piece !~ '[[:space:]!-/:-@\[-`{-~]'
$$
"""


def index_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "pledges_pledge" '
        "USING gin (to_tsvector('simple', paju_bigrams(\"search_text\")))"
    )


def index_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f'DROP INDEX IF EXISTS "{INDEX}"')
    schema_editor.execute("DROP FUNCTION IF EXISTS paju_bigrams(text)")


class Migration(migrations.Migration):
    dependencies = [("pledges", "0015_pledge_search_text")]

    operations = [migrations.RunPython(index_create, index_drop)]
