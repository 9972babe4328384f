"""Remove audit workbook files past their expiry (cron-able; the worker also does it)."""

from django.core.management.base import BaseCommand

from budgets.services import audit_reports_expire


class Command(BaseCommand):
    help = "만료된 감사 보고서 파일을 지웁니다. / Remove expired audit workbook files."

    def handle(self, *args, **options):
        count = audit_reports_expire()
        self.stdout.write(f"expired audit workbooks removed: {count}")
