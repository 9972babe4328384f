"""The portal's roles and their permissions, declared where every app's models are known.

``roles_sync`` runs after every ``migrate`` (``PortalConfig.ready`` connects it to
``post_migrate``) and is idempotent: each role group ends with exactly the permissions
below, whatever it held before. A model added to an app gets its rows on the next
``migrate``: the auditor views every model of our apps (their change histories
included); the reviewer (공약 총괄) views the same and holds only the publication rights
of ``REVIEWER_PERMISSIONS`` (no change, add or delete of figures, stages, milestones or
officials); department staff get what ``STAFF_PERMISSIONS`` says, and a test fails for
any model of our apps that is not declared there.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, transaction

from core.roles import AUDITOR_GROUP, REVIEWER_GROUP, STAFF_GROUP

ROLE_APPS = ("departments", "pledges", "budgets", "publications")

# Department staff: view, add and change their departments' records; no deletes of
# pledges or figures (a correction is a new value, kept in history). Every concrete
# model of ROLE_APPS is listed, an empty set meaning "none". Change histories
# (Historical* models): none, the admin's history pages check the record's own model.
STAFF_PERMISSIONS = {
    "pledges": {
        "pledge": {"view", "change"},
        "project": {"view", "add", "change"},
        "yearplan": {"view", "add", "change", "delete"},
        "milestone": {"view", "add", "change", "delete"},
        "pledgeofficial": {"view", "add", "change", "delete"},
        "relatedmaterial": {"view", "add", "change", "delete"},
        "progresscount": {"view", "add", "change"},
        "pledgeadjustment": {"view", "add", "change", "delete"},
        "sourcenote": {"view", "add", "change", "delete"},
        "workplanlink": {"view"},
        "term": {"view"},
        "vision": {"view"},
        "publicversion": set(),
    },
    "departments": {
        "department": {"view"},
        "official": {"view", "add", "change"},
        "workplanitem": {"view"},
        "bureau": {"view"},
    },
    "budgets": {
        "budgetfigure": {"view", "add", "change"},
        # Background audit workbooks: not in the admin's model pages; a job and its file
        # open only for the user who asked (or a superuser), checked in budgets/views.py.
        "auditreportjob": set(),
    },
    # Publication rounds: staff see the rounds, their departments' reviews (what the
    # reviewer returned) and the publications; they neither decide nor publish.
    "publications": {
        "publicationround": {"view"},
        "pledgereview": {"view"},
        "publication": {"view"},
    },
}


# The reviewer: views every model of ROLE_APPS (as the auditor) and holds these on top:
# opening and closing rounds, deciding on a pledge's review (publish or return) and
# publishing. Nothing that changes a card: figures, stages, milestones and officials stay
# the departments' to write.
REVIEWER_PERMISSIONS = {
    "publications": {
        "publicationround": {"add", "change"},
        "pledgereview": {"change"},
        "publication": {"add"},
    },
}

ROLES = (STAFF_GROUP, AUDITOR_GROUP, REVIEWER_GROUP)


def role_models() -> list:
    """Every model of the apps the roles cover, change histories included."""
    return [
        model for label in ROLE_APPS for model in global_apps.get_app_config(label).get_models()
    ]


def expected_codenames(role: str, model) -> set[str]:
    """The permission codenames a role holds on a model."""
    name = model._meta.model_name
    if role == AUDITOR_GROUP:
        return {f"view_{name}"}
    if role == REVIEWER_GROUP:
        extra = REVIEWER_PERMISSIONS.get(model._meta.app_label, {}).get(name, set())
        return {f"view_{name}"} | {f"{action}_{name}" for action in extra}
    actions = STAFF_PERMISSIONS.get(model._meta.app_label, {}).get(name, set())
    return {f"{action}_{name}" for action in actions}


def roles_sync(*, using: str = DEFAULT_DB_ALIAS) -> None:
    """Give each role group exactly its declared permissions (creating what is missing)."""
    for label in ROLE_APPS:
        create_permissions(global_apps.get_app_config(label), verbosity=0, using=using)
    models = role_models()
    content_types = ContentType.objects.db_manager(using).get_for_models(*models)
    permissions = {
        (p.content_type_id, p.codename): p
        for p in Permission.objects.using(using).filter(
            content_type__in=list(content_types.values())
        )
    }
    with transaction.atomic(using=using):
        for role in ROLES:
            wanted = [
                permissions[(content_types[model].pk, codename)]
                for model in models
                for codename in sorted(expected_codenames(role, model))
            ]
            group, _created = Group.objects.using(using).get_or_create(name=role)
            group.permissions.set(wanted)


def roles_sync_after_migrate(sender, *, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """``post_migrate`` receiver (connected for the portal app only, the last installed).

    It reads the current models, not the migration state: roles are about the code that runs.
    """
    roles_sync(using=using)
