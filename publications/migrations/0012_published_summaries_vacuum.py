"""``0011`` rewrote the published summaries' table (a new generated column): ``VACUUM``
gives it back its visibility map, as ``0007`` did after ``0006``. Not atomic (``VACUUM``
cannot run in a transaction). PostgreSQL only."""

from django.db import migrations


def vacuum(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("VACUUM (ANALYZE) publications_publishedpledge")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("publications", "0011_search_pieces_by_section")]

    operations = [migrations.RunPython(vacuum, migrations.RunPython.noop)]
