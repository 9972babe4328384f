"""Optimistic locking: one version per editable record, one check every write path runs.

A record's version is its ``updated_at`` where the model has one (pledges, sub-projects:
a sub-project's figures move its ``updated_at``, so its grid and its single figures share
one version), else a digest of its stored values and many-to-many links. A save that
names an older version than the stored one is refused; nothing is overwritten.
"""

import hashlib
import json

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

STALE_MESSAGE = _(
    "This record was changed by someone else since you opened it. Reload it, check their "
    "changes, then save again."
)


def record_version(obj: models.Model) -> str:
    """The version of ``obj`` as stored (read it fresh to compare)."""
    if hasattr(obj, "updated_at"):
        return obj.updated_at.isoformat()
    values = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
    for field in obj._meta.many_to_many:
        values[field.name] = sorted(getattr(obj, field.name).values_list("pk", flat=True))
    encoded = json.dumps(values, sort_keys=True, default=str).encode()
    return hashlib.sha256(encoded).hexdigest()[:32]


def version_check(*, obj: models.Model, expected: str | None) -> None:
    """Refuse the write when ``obj``'s stored version is not ``expected``.

    Locks the row (``select_for_update``) for the caller's transaction, so two saves of
    the same version cannot both pass. ``expected=None`` means the caller edits without
    a form opened earlier (a command, a service composing others): no check.
    """
    if expected is None or obj.pk is None:
        return
    current = type(obj)._default_manager.select_for_update().filter(pk=obj.pk).first()
    if current is not None and record_version(current) != expected:
        raise ValidationError(STALE_MESSAGE, code="stale")


class OptimisticLockMixin(forms.Form):
    """Carries the record's version as a hidden field; a stale save is refused in ``clean``.

    ``version_of`` names the record whose version the form carries (a figure's form
    carries its sub-project's). ``check_unchanged = False`` (an inline row) checks only a
    row whose fields changed, since only such a row is saved; the version itself never
    counts as a change, so a stale row left alone is neither saved nor refused.
    """

    version = forms.CharField(widget=forms.HiddenInput, required=False)
    check_unchanged = True

    def version_of(self) -> models.Model | None:
        return self.instance if self.instance.pk else None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        record = self.version_of()
        if record is not None:
            self.fields["version"].initial = record_version(record)

    @cached_property
    def changed_data(self):
        changed = super().changed_data
        return changed if self.check_unchanged else [n for n in changed if n != "version"]

    def clean(self):
        cleaned = super().clean()
        record = self.version_of()
        if record is not None and (self.check_unchanged or self.has_changed()):
            version_check(obj=record, expected=cleaned.get("version") or "")
        return cleaned


class ChangeReasonMixin(forms.Form):
    change_reason = forms.CharField(
        label=_("Reason for this change"),
        required=False,
        max_length=300,
        help_text=_("Kept in the change history with your name and the time."),
    )
