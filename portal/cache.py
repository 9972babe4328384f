"""Cached public pages that are never stale.

Pages are cached under a key that includes the public data version
(``pledges.cache.public_version``); every write to the portal's data moves the version,
so the next request misses and renders fresh figures.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache

from pledges.cache import public_version

PAGE_TTL = 60 * 60


def page_key(request) -> str:
    """The data version and a sha256 of the full URL (its /en/ prefix carries the language).

    Hashed so the key stays short whatever the query string holds: memcached refuses keys
    over 250 characters, and percent-encoded Korean filters reach that. Computed once per
    request: the middleware and the view decorator share it.
    """
    if not hasattr(request, "_page_key"):
        url = hashlib.sha256(request.get_full_path().encode()).hexdigest()
        request._page_key = f"page:{public_version()}:{url}"
    return request._page_key


class PublicPageCacheMiddleware:
    """Serve cached public pages early, before sessions, auth, CSRF and locale run.

    Only for GETs without a session cookie (so never a logged-in user's request); the
    pages are stored by ``cache_public_page`` on the views that may be cached. The Host
    header is checked first (``ALLOWED_HOSTS``: a 400 otherwise), as it would be on a miss.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.get_host()  # raises DisallowedHost before any cached page answers
        if (
            request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and not request.path.startswith("/api/")  # open data: ETag/304 (portal.api)
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
