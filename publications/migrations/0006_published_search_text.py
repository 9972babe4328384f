"""The public search reads a copy of each pledge's search text kept on its published
summary, indexed there on PostgreSQL.

Until now the search counted and ranked its matches by joining the published summaries to
the pledges (whose ``search_text`` held the published card's text): at 50,000 pledges a
word found on one card in four joined 12,500 matches to 50,000 summaries twice, about 40 ms.
The summary now keeps the text (written with it at publication, copied when a department
rename changes it: ``published_search_texts_copy``), and carries the indexes: pg_trgm for
words of three characters or more, and the text's two-character pieces as a stored
generated column with a GIN index (``paju_bigrams``, ``pledges`` migration 0016). The
pledge table's search indexes go in ``pledges`` migration 0019.
"""

from django.db import migrations, models

TRIGRAMS = "publications_pub_search_trgm"
BIGRAMS = "publications_pub_search_bigrams"
EXPRESSION = "to_tsvector('simple'::regconfig, paju_bigrams(search_text))"


def texts_copy(apps, schema_editor):
    schema_editor.execute(
        "UPDATE publications_publishedpledge SET search_text = (SELECT p.search_text "
        "FROM pledges_pledge p WHERE p.id = publications_publishedpledge.pledge_id)"
    )


def indexes_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f'CREATE INDEX "{TRIGRAMS}" ON publications_publishedpledge '
        "USING gin (search_text gin_trgm_ops)"
    )
    schema_editor.execute(
        "ALTER TABLE publications_publishedpledge ADD COLUMN search_bigrams tsvector "
        f"GENERATED ALWAYS AS ({EXPRESSION}) STORED"
    )
    schema_editor.execute(
        f'CREATE INDEX "{BIGRAMS}" ON publications_publishedpledge USING gin (search_bigrams)'
    )
    schema_editor.execute("ANALYZE publications_publishedpledge")


def indexes_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f'DROP INDEX IF EXISTS "{TRIGRAMS}"')
    schema_editor.execute(f'DROP INDEX IF EXISTS "{BIGRAMS}"')
    schema_editor.execute(
        "ALTER TABLE publications_publishedpledge DROP COLUMN IF EXISTS search_bigrams"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("pledges", "0019_search_indexes_to_published"),
        ("publications", "0005_recent_changes_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="publishedpledge",
            name="search_text",
            field=models.TextField(
                blank=True,
                default="",
                editable=False,
                help_text="The published card's texts, upper-cased, for the public search.",
                verbose_name="search text",
            ),
        ),
        migrations.RunPython(texts_copy, migrations.RunPython.noop),
        migrations.RunPython(indexes_create, indexes_drop),
    ]
