"""The names of the portal's roles (permission groups).

Which permissions each role holds is declared in ``portal/roles.py``, where every app's
models are known, and synced after every ``migrate``.
"""

STAFF_GROUP = "부서 담당자"  # department staff
AUDITOR_GROUP = "감사"  # auditor
REVIEWER_GROUP = "공약 총괄"  # reviewer: publishes or returns every department's drafts
