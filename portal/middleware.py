"""Refuse requests whose URL carries a NUL character, before they reach the database.

PostgreSQL cannot store or compare text with NUL (psycopg raises), so a URL such as
``/api/pledges/%00/`` would otherwise end as a server error instead of a client error.
"""

from django.http import HttpResponseBadRequest


class RejectNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            return HttpResponseBadRequest(
                "잘못된 요청입니다 (NUL 문자). / Bad request (NUL character).",
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)
