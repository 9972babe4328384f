"""The pledge table's search indexes go: the public search reads the published summaries.

The public list searches ``publications.PublishedPledge.search_text``, a copy of the
pledge's text written at publication and indexed there (``publications`` migration 0006):
a search no longer joins 50,000 summaries to 50,000 pledges to count its matches. The
pledge's own text stays (the published copy is made from it); its trigram index (0015)
and its two-character pieces (0016, 0018) were read by nothing else, and recomputing
them cost every write of the text. PostgreSQL only; undoing this puts them back.
"""

from django.db import migrations

TRIGRAMS = "pledges_pledge_search_text_trgm"
BIGRAMS = "pledges_pledge_search_bigrams"
EXPRESSION = "to_tsvector('simple'::regconfig, paju_bigrams(search_text))"


def indexes_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f'DROP INDEX IF EXISTS "{TRIGRAMS}"')
    schema_editor.execute(f'DROP INDEX IF EXISTS "{BIGRAMS}"')
    schema_editor.execute("ALTER TABLE pledges_pledge DROP COLUMN IF EXISTS search_bigrams")


def indexes_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS "{TRIGRAMS}" ON "pledges_pledge" '
        'USING gin ("search_text" gin_trgm_ops)'
    )
    schema_editor.execute(
        "ALTER TABLE pledges_pledge ADD COLUMN search_bigrams tsvector "
        f"GENERATED ALWAYS AS ({EXPRESSION}) STORED"
    )
    schema_editor.execute(f'CREATE INDEX "{BIGRAMS}" ON pledges_pledge USING gin (search_bigrams)')


class Migration(migrations.Migration):
    dependencies = [("pledges", "0018_search_bigrams_column")]

    operations = [migrations.RunPython(indexes_drop, indexes_create)]
