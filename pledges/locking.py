"""Optimistic locking for admin forms: a later save of a stale form is refused."""

from django import forms
from django.utils.translation import gettext_lazy as _

STALE_MESSAGE = _(
    "다른 사용자가 이 화면을 연 뒤에 이 기록을 바꿨습니다. 새로 고쳐 바뀐 내용을 확인한 뒤 "
    "다시 저장하세요. / This record was changed by someone else since you opened it. "
    "Reload it, check their changes, then save again."
)


class OptimisticLockMixin(forms.Form):
    """Carries the record's ``updated_at`` as a hidden version; refuses a stale save.

    The check locks the row (``select_for_update``) inside the admin's transaction, so
    two saves of the same version cannot both pass.
    """

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.updated_at.isoformat()

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            current = (
                type(self.instance)
                .objects.select_for_update()
                .filter(pk=self.instance.pk)
                .values_list("updated_at", flat=True)
                .first()
            )
            if current is not None and cleaned.get("version") != current.isoformat():
                raise forms.ValidationError(STALE_MESSAGE, code="stale")
        return cleaned


class ChangeReasonMixin(forms.Form):
    change_reason = forms.CharField(
        label=_("Reason for this change"),
        required=False,
        max_length=300,
        help_text=_("Kept in the change history with your name and the time."),
    )
