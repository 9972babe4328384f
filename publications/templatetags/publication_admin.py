"""The admin home's "공표 점검" module: what the user has to do in the open rounds."""

from django import template

from ..models import ReviewStatus
from ..queues import admin_home

register = template.Library()


@register.inclusion_tag("admin/publications/_home.html", takes_context=True)
def publication_home(context) -> dict:
    request = context["request"]
    return {
        "publication_rounds": admin_home(request.user),
        "review_statuses": ReviewStatus.labels,
        "csrf_token": context.get("csrf_token"),
        "may_change_pledges": request.user.has_perm("pledges.change_pledge"),
    }
