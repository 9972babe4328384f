"""The admin every app's ModelAdmin builds on: one write path, permissions on every route.

- Saves and deletes go through the services (``record_save``/``record_delete`` or a
  model's own service), with user and reason in history.
- Every change form carries the record's version (``core.locking``) and a reason.
- History: the list and the detail of a past version need view permission on the record
  (and its department); they are pages to read, a POST to either is 403; reverting is
  switched off — a correction is a new change, made
  in the change form with its rules, lock and reason — so any POST there is refused.
- A POST to a change list (actions) needs change or delete permission; a view-only role
  gets 403 on every POST.
- A record outside the user's departments answers 404 on every route, as if absent.
- A model without a change history of its own (a publication round, a review: their
  decisions are in the admin's log) gets Django's history page, read from the admin log
  (who did what, with the message); there is no past version to show, so its detail
  route answers 404.
"""

from django import forms
from django.contrib.admin import ModelAdmin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin

from .locking import ChangeReasonMixin, OptimisticLockMixin
from .services import record_delete, record_save

DELETE_REASON = "관리 화면에서 삭제 / deleted in the admin"


def read_only(request) -> None:
    """A page to read (a history list, findings): any POST is refused, whoever sends it."""
    if request.method not in ("GET", "HEAD"):
        raise PermissionDenied


class GuardedModelForm(ChangeReasonMixin, OptimisticLockMixin, forms.ModelForm):
    """A change form with a version (optimistic lock) and a reason for history."""


class GuardedAdmin(SimpleHistoryAdmin):
    form = GuardedModelForm

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        if not self.has_change_history():
            self.object_history_template = "admin/object_history.html"  # Django's, the log

    # -- writes through the services -------------------------------------------------
    def change_reason(self, form) -> str:
        return form.cleaned_data.get("change_reason", "") if form is not None else ""

    def save_model(self, request, obj, form, change):
        # The form's clean() already ran the version check inside this transaction.
        record_save(obj=obj, user=request.user, reason=self.change_reason(form))

    def delete_model(self, request, obj):
        record_delete(obj=obj, user=request.user, reason=DELETE_REASON)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    # -- permissions on every route ----------------------------------------------------
    def revert_disabled(self, request, obj=None):
        return True

    def _scoped_object(self, request, object_id):
        obj = self.get_object(request, object_id)
        if obj is None:
            raise Http404
        return obj

    def has_change_history(self) -> bool:
        """Whether django-simple-history records this model (``history`` on the model)."""
        return hasattr(self.model._meta, "simple_history_manager_attribute")

    def history_view(self, request, object_id, extra_context=None):
        self._scoped_object(request, object_id)
        read_only(request)
        if not self.has_change_history():
            return self.admin_log_view(request, object_id, extra_context)
        return super().history_view(request, object_id, extra_context)

    def admin_log_view(self, request, object_id, extra_context=None):
        """Django's own history page: the admin log of the record."""
        return ModelAdmin.history_view(self, request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        obj = self._scoped_object(request, object_id)
        if not self.has_change_history():
            raise Http404
        if request.method != "GET" or not self.has_view_permission(request, obj):
            raise PermissionDenied
        request.viewing_history = True  # a past version is shown read-only, every field
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if getattr(request, "viewing_history", False):
            fields += [f.name for f in self.model._meta.fields if f.editable]
        return fields

    def changelist_view(self, request, extra_context=None):
        if request.method == "POST" and not (
            self.has_change_permission(request) or self.has_delete_permission(request)
        ):
            raise PermissionDenied
        return super().changelist_view(request, extra_context)

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404
