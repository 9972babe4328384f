"""Write the auditor's Excel workbook, optionally as of a past date and for one department."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from budgets.report import audit_report_write
from departments.models import Department


class Command(BaseCommand):
    help = "감사 보고서(xlsx)를 만듭니다. / Write the audit workbook."

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="path of the .xlsx to write")
        parser.add_argument(
            "--as-of", help="YYYY-MM-DD: figures, stages and milestones as at the end of that day"
        )
        parser.add_argument("--department", help="only this department's pledges (e.g. 공공건축과)")

    def handle(self, *args, **options):
        as_of = None
        if options["as_of"]:
            try:
                as_of = date.fromisoformat(options["as_of"])
            except ValueError as error:
                raise CommandError(
                    f"--as-of는 YYYY-MM-DD 형식이어야 합니다 / --as-of must be YYYY-MM-DD: "
                    f"{options['as_of']}"
                ) from error
        department = None
        if options["department"]:
            department = Department.objects.filter(name=options["department"]).first()
            if department is None:
                raise CommandError(f"부서가 없습니다 / no such department: {options['department']}")
        summary = audit_report_write(
            output=options["output"],
            as_of=as_of,
            department=department,
            generated_by="manage.py export_audit_report",
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"{options['output']}: {summary.pledges} pledges, {summary.findings} findings, "
                f"{summary.changes} changes, sheets {', '.join(summary.sheets)}"
            )
        )
