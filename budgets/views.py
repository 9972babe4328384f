"""The audit workbook download for auditors, administrators and department staff."""

import tempfile

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from departments.models import Department
from departments.roles import AUDITOR_GROUP
from departments.scoping import is_department_staff, user_departments

from .report import audit_report_write, report_filename


def sees_every_department(user) -> bool:
    return user.is_superuser or user.groups.filter(name=AUDITOR_GROUP).exists()


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


def audit_report(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not (sees_every_department(user) or is_department_staff(user)):
        raise PermissionDenied
    form = AuditReportForm(request.GET if "download" in request.GET else None, user=user)
    if form.is_valid():
        as_of, department = form.cleaned_data["as_of"], form.cleaned_data["department"]
        output = tempfile.TemporaryFile()
        audit_report_write(
            output=output,
            as_of=as_of,
            department=department,
            generated_by=f"{user.get_username()} (portal)",
        )
        output.seek(0)
        return FileResponse(output, as_attachment=True, filename=report_filename(as_of, department))
    context = {
        **admin.site.each_context(request),
        "title": _("Audit report"),
        "form": form,
    }
    return TemplateResponse(request, "admin/budgets/audit_report.html", context)
