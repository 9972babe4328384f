"""What every request under ``/api/`` gets, and the refusal of NUL characters.

``RejectNulMiddleware`` refuses URLs carrying a NUL character before they reach the
database: PostgreSQL cannot store or compare text with NUL (psycopg raises), so a URL
such as ``/api/pledges/%00/`` would otherwise end as a server error, not a client error.

``OpenDataMiddleware`` makes the open data one contract whatever answers: messages in the
language the request asks for (the pages' language comes from their URL prefix, the open
data has none), a JSON body for a path that does not exist, and ``Cache-Control``.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


def is_open_data(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def api_error(status: int, error: str, detail: str) -> JsonResponse:
    """An open-data error outside a view: the views' shape, ``{"error", "detail"}``."""
    return JsonResponse({"error": error, "detail": detail}, status=status)


def cache_headers(response: HttpResponse) -> HttpResponse:
    """A short public ``Cache-Control`` (the ETag then revalidates); none for a 429 or a
    server error, which must not be reused."""
    if response.has_header("Cache-Control"):
        return response
    if response.status_code == 429 or response.status_code >= 500:
        patch_cache_control(response, no_store=True)
    else:
        patch_cache_control(response, public=True, max_age=settings.API_CACHE_SECONDS)
    return response


class RejectNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            message = "잘못된 요청입니다 (NUL 문자). / Bad request (NUL character)."
            if is_open_data(request):
                return cache_headers(api_error(400, "bad_request", message))
            return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class OpenDataMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_open_data(request):
            return self.get_response(request)
        language = translation.get_language_from_request(request, check_path=False)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        if response.status_code == 404 and "json" not in response.get("Content-Type", ""):
            # not one of the open data's paths (Django's HTML 404 otherwise)
            response = api_error(404, "not_found", _("There is no open data at this address."))
        response.setdefault("Content-Language", translation.get_language())
        patch_vary_headers(response, ["Accept-Language"])
        return cache_headers(response)
