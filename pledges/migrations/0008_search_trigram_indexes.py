"""Trigram (pg_trgm) GIN indexes for the public search, on PostgreSQL only.

The search filters with ``icontains``, which Django writes as ``UPPER(col::text) LIKE
UPPER(%s)``; these indexes are on the same expression so the planner can use them.
pg_trgm is a trusted extension since PostgreSQL 13: the database owner may create it
without superuser rights. SQLite scans (six to a few thousand rows: fast enough).
"""

from django.db import migrations

INDEXES = [
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


def _name(table: str, column: str) -> str:
    return f"{table}_{column}_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, column in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{_name(table, column)}" ON "{table}" '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{_name(table, column)}"')


class Migration(migrations.Migration):
    dependencies = [("pledges", "0007_unofficial_english_translations")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
