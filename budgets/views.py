"""The audit workbook for auditors, administrators and department staff.

Asking for a workbook queues a background task (budgets/tasks.py); the requester follows
its progress, finds it again in the list of their workbooks and downloads it until it
expires. Only the requester (or a superuser) can open a job or its file.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.roles import AUDITOR_GROUP, REVIEWER_GROUP
from departments.models import Department
from departments.scoping import is_department_staff, user_departments

from .models import AuditReportJob, ReportStatus
from .report import report_filename
from .services import audit_report_path, audit_report_request, audit_reports_expire

RECENT_JOBS = 20


def sees_every_department(user) -> bool:
    return (
        user.is_superuser or user.groups.filter(name__in=[AUDITOR_GROUP, REVIEWER_GROUP]).exists()
    )


class AuditReportForm(forms.Form):
    as_of = forms.DateField(
        label=_("As of (end of day)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Blank: now. Figures, stages and milestones as they stood then."),
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.all(),
        required=False,
        to_field_name="name",
        empty_label=_("All departments"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.every_department = sees_every_department(user)
        if not self.every_department:
            self.fields["department"].queryset = user_departments(user)
            self.fields["department"].required = True
            self.fields["department"].empty_label = None


def _may_ask(user) -> None:
    if not (sees_every_department(user) or is_department_staff(user)):
        raise PermissionDenied


def _job_of(request: HttpRequest, pk: int) -> AuditReportJob:
    """The job, if it is the user's own (or the user is a superuser); 404 otherwise."""
    jobs = AuditReportJob.objects.select_related("department", "owner")
    if not request.user.is_superuser:
        jobs = jobs.filter(owner=request.user)
    job = get_object_or_404(jobs, pk=pk)
    if job.status == ReportStatus.DONE and job.expires_at <= timezone.now():
        audit_reports_expire()  # the worker has not got round to it yet
        job.refresh_from_db()
    return job


def audit_report(request: HttpRequest) -> HttpResponse:
    """The form (POST queues a workbook) and the list of the user's workbooks."""
    user = request.user
    _may_ask(user)
    form = AuditReportForm(request.POST if request.method == "POST" else None, user=user)
    if form.is_valid():
        job = audit_report_request(
            user=user,
            as_of=form.cleaned_data["as_of"],
            department=form.cleaned_data["department"],
        )
        return redirect("audit_report_job", pk=job.pk)
    jobs = AuditReportJob.objects.filter(owner=user).select_related("department")
    context = {
        **admin.site.each_context(request),
        "title": _("Audit report"),
        "form": form,
        "jobs": jobs[:RECENT_JOBS],
    }
    return TemplateResponse(request, "admin/budgets/audit_report.html", context)


def audit_report_job(request: HttpRequest, pk: int) -> HttpResponse:
    """Progress of one workbook: refreshes itself until it is finished."""
    job = _job_of(request, pk)
    context = {
        **admin.site.each_context(request),
        "title": _("Audit report"),
        "job": job,
        "ReportStatus": ReportStatus,
    }
    return TemplateResponse(request, "admin/budgets/audit_report_job.html", context)


def audit_report_download(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_of(request, pk)
    path = audit_report_path(job)
    if job.status == ReportStatus.EXPIRED:
        context = {
            **admin.site.each_context(request),
            "title": _("Audit report"),
            "job": job,
            "ReportStatus": ReportStatus,
        }
        return TemplateResponse(request, "admin/budgets/audit_report_job.html", context, status=410)
    if job.status != ReportStatus.DONE or not path.exists():
        raise Http404
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=report_filename(job.as_of, job.department),
    )
