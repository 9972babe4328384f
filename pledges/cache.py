"""Cached public pages that are never stale.

Pages are cached under a key that includes the public data version; every write to the
portal's data moves the version (``public_version_bump``), so the next request misses
and renders fresh figures. Writes through the ORM (admin forms, inlines, imports,
commands) bump it from ``post_save``/``post_delete`` (wired in ``PledgesConfig.ready``);
code that writes in bulk calls ``public_version_bump()`` itself.
"""

from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db.models import F

from .models import PublicVersion

PAGE_TTL = 60 * 60
TRACKED_APPS = {"departments", "pledges", "budgets"}


def public_version() -> int:
    return PublicVersion.objects.filter(pk=1).values_list("number", flat=True).first() or 0


def public_version_bump() -> None:
    if not PublicVersion.objects.filter(pk=1).update(number=F("number") + 1):
        PublicVersion.objects.get_or_create(pk=1, defaults={"number": 1})


def bump_on_write(sender, **kwargs) -> None:
    """Signal receiver: a write to a tracked model moves the public version."""
    meta = sender._meta
    if (
        meta.app_label in TRACKED_APPS
        and sender is not PublicVersion
        and not meta.object_name.startswith("Historical")
    ):
        public_version_bump()


def page_key(request) -> str:
    """The data version and the full URL (its /en/ prefix carries the language).

    Computed once per request: the middleware and the view decorator share it.
    """
    if not hasattr(request, "_page_key"):
        request._page_key = f"page:{public_version()}:{request.get_full_path()}"
    return request._page_key


class PublicPageCacheMiddleware:
    """Serve cached public pages early, before sessions, auth, CSRF and locale run.

    Only for GETs without a session cookie (so never a logged-in user's request); the
    pages are stored by ``cache_public_page`` on the views that may be cached.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
        ):
            response = cache.get(page_key(request))
            if response is not None:
                response["X-Page-Cache"] = "hit"
                return response
        return self.get_response(request)


def cache_public_page(view):
    """Serve anonymous GETs from the cache, keyed by data version and URL; store misses."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        key = page_key(request)
        response = cache.get(key)
        if response is not None:
            response["X-Page-Cache"] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming:
            if hasattr(response, "render"):
                response.render()
            response["X-Page-Cache"] = "miss"
            cache.set(key, response, PAGE_TTL)
        return response

    return wrapper
