"""Users for each role, made the way the admin makes them."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from departments.models import Department
from departments.roles import AUDITOR_GROUP, STAFF_GROUP


def make_user(username: str, *, group: str | None = None, departments=(), superuser=False):
    user = get_user_model().objects.create_user(
        username=username, password="pw-for-tests-only", is_staff=True, is_superuser=superuser
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    user.departments.set(Department.objects.filter(name__in=departments))
    return user


def department_staff(username: str = "staff", departments=("민원여권과",)):
    return make_user(username, group=STAFF_GROUP, departments=departments)


def auditor(username: str = "auditor"):
    return make_user(username, group=AUDITOR_GROUP)
