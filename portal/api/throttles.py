"""How often one client may ask the open data API (throttled per client address)."""

from rest_framework.throttling import AnonRateThrottle


class RebuiltAsOfThrottle(AnonRateThrottle):
    """Requests rebuilt from the change history (``?as_of=``) cost far more than a read of
    what is published (a whole term rebuilt and sorted by rate at 50,000 pledges takes
    seconds), so a client gets fewer of them: ``DJANGO_API_AS_OF_THROTTLE_RATE`` (default
    30 a minute), on top of the general rate. Other requests are not counted here."""

    scope = "as_of"

    def allow_request(self, request, view) -> bool:
        if not request.query_params.get("as_of"):  # empty: nothing is rebuilt
            return True
        return super().allow_request(request, view)
