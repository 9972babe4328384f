"""Create the role groups with their permissions (department staff, auditor)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from departments.roles import APPS, AUDITOR_GROUP, STAFF_GROUP, STAFF_PERMISSIONS


def create_groups(apps, schema_editor):
    for config in apps.get_app_configs():
        config.models_module = True
        create_permissions(config, verbosity=0)
        config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    staff, _ = Group.objects.get_or_create(name=STAFF_GROUP)
    wanted = []
    for app_label, models in STAFF_PERMISSIONS.items():
        for model, actions in models.items():
            wanted += [f"{action}_{model}" for action in actions]
    staff.permissions.set(
        Permission.objects.filter(content_type__app_label__in=APPS, codename__in=wanted)
    )

    auditor, _ = Group.objects.get_or_create(name=AUDITOR_GROUP)
    auditor.permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=APPS, codename__startswith="view_"
        )
    )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[STAFF_GROUP, AUDITOR_GROUP]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("departments", "0002_department_staff"),
        ("pledges", "0001_initial"),
        ("budgets", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
