"""Background tasks (Django's tasks API, django-tasks backport, database backend).

Run by ``manage.py db_worker`` (``make run`` and ``make serve`` start one).
"""

import logging
import os
import secrets
from contextlib import suppress

from django_tasks import task

from .models import AuditReportJob
from .report import audit_report_write
from .services import (
    audit_report_finish,
    audit_report_path,
    audit_report_progress,
    audit_reports_expire,
)

logger = logging.getLogger("paju.tasks")


@task()
def audit_report_build(job_id: int) -> dict:
    """Write one requested audit workbook, storing progress per batch of pledges.

    A failure is logged with its cause under a reference, the job records the reference
    (never the exception's text: it may name server paths), and the failure is raised
    again so the task's own result says failed as well.
    """
    audit_reports_expire()  # the worker also clears yesterday's files
    job = AuditReportJob.objects.select_related("owner", "department").get(pk=job_id)
    path = audit_report_path(job)
    partial = path.with_suffix(".part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        summary = audit_report_write(
            output=str(partial),
            as_of=job.as_of,
            department=job.department,
            generated_by=f"{job.owner.get_username()} (portal)",
            progress=lambda done, total: audit_report_progress(
                job_id=job_id, done=done, total=total
            ),
        )
        os.replace(partial, path)  # a download never sees a half-written file
    except Exception:
        with suppress(OSError):
            partial.unlink(missing_ok=True)
        # The requester reads a reference; the cause (it may name server paths) is logged
        # under it, for the administrator.
        reference = f"audit-{job_id}-{secrets.token_hex(4)}"
        logger.exception("audit report job=%s failed, reference=%s", job_id, reference)
        audit_report_finish(job_id=job_id, error=reference)
        raise
    audit_report_finish(job_id=job_id)
    return {"pledges": summary.pledges, "findings": summary.findings, "changes": summary.changes}
