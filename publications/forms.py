"""The reviewer's forms in the admin: a decision on one pledge, a batch publish or return.

Each form carries a digest of the draft the reviewer was shown (``draft_digest``): when a
department saves the pledge again before the decision is sent, the decision is refused
with a clear message instead of publishing something nobody reviewed.
"""

import hashlib
import json

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.admin_guard import GuardedModelForm
from core.locking import OptimisticLockMixin

from .models import PledgeReview, PublicationRound

DRAFT_MOVED = _(
    "The department changed this pledge after you opened this page. Reload it, check the changes, "
    "then decide again."
)
COMMENT_NEEDED = _("Say what the department should fix when you return a draft.")


def draft_digest(changes_by_pledge: dict[int, list[dict]]) -> str:
    """A short fingerprint of the drafts shown: {pledge id: change lines}."""
    encoded = json.dumps(
        {str(pk): lines for pk, lines in sorted(changes_by_pledge.items())},
        sort_keys=True,
        default=str,
        ensure_ascii=False,
    ).encode()
    return hashlib.sha256(encoded).hexdigest()[:32]


class Decision(forms.ChoiceField):
    PUBLISH, RETURN = "publish", "return"

    def __init__(self, **kwargs):
        super().__init__(
            choices=[
                (self.PUBLISH, _("publish")),
                (self.RETURN, _("return to the department")),
            ],
            widget=forms.RadioSelect,
            label=_("decision"),
            **kwargs,
        )


class DraftCheckMixin(forms.Form):
    """The digest of the drafts shown, checked again on submit."""

    draft = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, changes_now: dict[int, list[dict]], **kwargs):
        super().__init__(*args, **kwargs)
        self.changes_now = changes_now
        self.fields["draft"].initial = draft_digest(changes_now)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("draft", "") != draft_digest(self.changes_now):
            raise ValidationError(DRAFT_MOVED, code="draft_moved")
        return cleaned


class ReviewDecisionForm(DraftCheckMixin, OptimisticLockMixin, forms.ModelForm):
    """Publish the pledge of this review (with a note) or return it (with a comment)."""

    decision = Decision()
    message = forms.CharField(
        label=_("note (publish) or comment (return)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Published with the change history, or shown to the department on its admin home when "
            "returned."
        ),
    )

    class Meta:
        model = PledgeReview
        fields = []

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == Decision.RETURN and not cleaned.get("message", "").strip():
            self.add_error("message", COMMENT_NEEDED)
        return cleaned


class BatchDecisionForm(DraftCheckMixin, forms.Form):
    """The confirmation page of the queue's actions: a note (publish) or comment (return)."""

    message = forms.CharField(
        label=_("note (publish) or comment (return)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, returning: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.returning = returning

    def clean(self):
        cleaned = super().clean()
        if self.returning and not cleaned.get("message", "").strip():
            self.add_error("message", COMMENT_NEEDED)
        return cleaned


class RoundForm(GuardedModelForm):
    """A round's form; the model's constraints (one open round per term) are checked in
    full, the fields the form does not show (``closed_at``) included, so a second open
    round is refused on the form rather than by the database."""

    class Meta:
        model = PublicationRound
        fields = ["term", "name", "due_on"]

    def _post_clean(self):
        super()._post_clean()
        try:
            self.instance.validate_constraints()
        except ValidationError as error:
            self._update_errors(error)
