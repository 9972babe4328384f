"""Formerly created the role groups; now a no-op kept for databases that applied it.

The role groups and their permissions are declared in ``portal/roles.py`` and synced
after every ``migrate`` (a ``post_migrate`` handler of the portal app), so a model added
later gets its permission rows too.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("departments", "0002_department_staff"),
    ]

    operations = []
