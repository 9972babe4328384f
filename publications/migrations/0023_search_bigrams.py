"""PostgreSQL: a second index for the public search, of the standing search texts'
two-character pieces. The trigram index (0016) serves words of three characters or more;
a two-syllable Korean word (센터, 민원) has no trigram, so its search read every standing
text. ``Publication.objects.search`` adds the pieces' condition for such words: the same
matches, through the index. No trigger, nothing stored: an expression index on an
immutable function."""

from django.db import migrations

BIGRAMS = """
CREATE OR REPLACE FUNCTION publications_bigrams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT substr(t, i, 2)), '{}')
    FROM generate_series(1, char_length(t) - 1) AS i
$$;
CREATE INDEX publications_search_bigrams ON publications_publication
    USING gin (publications_bigrams(search_text)) WHERE superseded_at IS NULL;
"""
BIGRAMS_DROP = """
DROP INDEX IF EXISTS publications_search_bigrams;
DROP FUNCTION IF EXISTS publications_bigrams(text);
"""


def bigrams(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BIGRAMS)


def bigrams_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BIGRAMS_DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("publications", "0022_list_indexes"),
    ]

    operations = [migrations.RunPython(bigrams, bigrams_drop)]
