"""The public search reads one stored text per pledge (``Pledge.search_text``).

Adds the column and on PostgreSQL indexes it with pg_trgm (GIN, ``gin_trgm_ops``) for
``LIKE '%…%'``. The search no longer reads the columns that migration 0008 indexed, so
those nine trigram indexes are dropped (undoing this migration puts them back).

The column was also filled here, by ``pledges.services.pledge_search_texts``. That code is
gone, and so is the column (migration 0026; the public search reads the published
snapshots' own text): nothing reads what the fill wrote, so the fill went with them and a
migration from scratch imports no application code.
"""

from django.db import migrations, models

INDEX = "pledges_pledge_search_text_trgm"
OLD_INDEXES = [
    ("pledges_pledge", "title"),
    ("pledges_pledge", "target"),
    ("pledges_pledge", "objective"),
    ("pledges_pledge", "overview"),
    ("pledges_pledge", "problems"),
    ("pledges_milestone", "text"),
    ("pledges_project", "name"),
    ("pledges_project", "overview"),
    ("pledges_yearplan", "text"),
]


def index_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "pledges_pledge" '
        'USING gin ("search_text" gin_trgm_ops)'
    )
    for table, column in OLD_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{table}_{column}_trgm"')


def index_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f'DROP INDEX IF EXISTS "{INDEX}"')
    for table, column in OLD_INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{table}_{column}_trgm" ON "{table}" '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


class Migration(migrations.Migration):
    dependencies = [("pledges", "0014_pledge_department_page_index")]

    operations = [
        migrations.AddField(
            model_name="pledge",
            name="search_text",
            field=models.TextField(
                blank=True,
                default="",
                editable=False,
                help_text=(
                    "Every text of the card, upper-cased, for the public search; rebuilt by "
                    "pledge_search_refresh, never edited."
                ),
                verbose_name="search text",
            ),
        ),
        migrations.RunPython(index_create, index_drop, elidable=False),
    ]
