"""One pledge's rows of the change history found by its code without reading them all.

The open data's per-pledge files (``/api/pledges/<code>/figures.csv``) find the pledge's
published row by code in ``pledges_historicalpledge``, which had no index on it: a
sequential scan of every history row (50 ms at 50,000 pledges). django-simple-history
makes the historical model and offers no option for its indexes, so the index is created
here in SQL (the model state does not know it; ``makemigrations`` has nothing to add).

It also refreshes the planner's statistics of the pledge table: the search index of
``0016`` is on an expression, and PostgreSQL gathers an expression's statistics only at
the next ANALYZE; until then it guessed 53 matches for a word found 12,588 times.
"""

from django.db import migrations


def analyze(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ANALYZE pledges_pledge")


class Migration(migrations.Migration):
    dependencies = [("pledges", "0016_search_bigrams_index")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX pledges_historicalpledge_term_code "
            "ON pledges_historicalpledge (term_id, code)",
            "DROP INDEX pledges_historicalpledge_term_code",
        ),
        migrations.RunPython(analyze, migrations.RunPython.noop),
    ]
