"""Department scoping: department staff see and change only their departments' records.

Enforced on the server in ``get_queryset`` and the ``has_*_permission`` checks, so a
tampered URL or a forged POST for another department's record finds nothing.
"""

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.roles import STAFF_GROUP

from .models import Department


def is_department_staff(user) -> bool:
    if not user.is_authenticated or user.is_superuser:
        return False
    cached = getattr(user, "_is_department_staff", None)
    if cached is None:
        cached = user.groups.filter(name=STAFF_GROUP).exists()
        user._is_department_staff = cached
    return cached


def user_departments(user) -> QuerySet[Department]:
    return Department.objects.filter(staff=user)


class CardRowsFormSet(BaseInlineFormSet):
    """An inline's rows: a posted row id the record does not hold (another record's
    row, forged, or one deleted meanwhile) is refused, so nothing is saved, not even
    an empty change of the record (Django would skip that row and save the rest)."""

    def clean(self):
        super().clean()
        if any(form.instance.pk is None for form in self.initial_forms):
            raise ValidationError(
                _("A row sent is not one of this record's rows: reload the page and try again."),
                code="foreign_row",
            )


class DepartmentScopedInlineMixin:
    """Rows and choices of an inline (or admin) limited to the user's departments.

    ``department_path`` is the lookup from the model to its department. An inline's
    permission checks receive the parent object, which its own admin already scopes.
    """

    department_path: str = "department"
    formset = CardRowsFormSet  # for an inline: rows of another record are refused

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        if is_department_staff(request.user):
            queryset = queryset.filter(
                **{f"{self.department_path}__in": user_departments(request.user)}
            )
        return queryset

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """Offer only in-scope choices for links to departments, pledges and sub-projects."""
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and is_department_staff(request.user):
            path = SCOPED_CHOICES.get(db_field.related_model._meta.label_lower)
            if path:
                field.queryset = field.queryset.filter(**{path: user_departments(request.user)})
        return field


SCOPED_CHOICES = {
    "departments.department": "pk__in",
    "departments.official": "department__in",
    "pledges.pledge": "department__in",
    "pledges.milestone": "pledge__department__in",
    "pledges.project": "pledge__department__in",
}


class DepartmentScopedAdminMixin(DepartmentScopedInlineMixin):
    """A ModelAdmin whose objects outside the user's departments cannot be seen or changed."""

    def _in_scope(self, request: HttpRequest, obj: Model | None) -> bool:
        if obj is None or obj.pk is None or not is_department_staff(request.user):
            return True
        return self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._in_scope(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._in_scope(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._in_scope(request, obj)
