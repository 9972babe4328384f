"""Create one demo account per role with fresh random passwords, printed once (debug only)."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core.roles import AUDITOR_GROUP, REVIEWER_GROUP, STAFF_GROUP
from departments.models import Department

# username, role shown to the person, group, departments, superuser?
ACCOUNTS = [
    ("admin", "관리자 / administrator", None, [], True),
    ("minwon", "부서 담당자 (민원여권과) / department staff", STAFF_GROUP, ["민원여권과"], False),
    ("gonggong", "부서 담당자 (공공건축과) / department staff", STAFF_GROUP, ["공공건축과"], False),
    ("auditor", "감사 / auditor", AUDITOR_GROUP, [], False),
    ("reviewer", "공약 총괄 / reviewer (publishes)", REVIEWER_GROUP, [], False),
]


class Command(BaseCommand):
    help = "데모 계정을 만들고 임의 비밀번호를 한 번 출력합니다 (DEBUG 전용). / Demo accounts."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="where `make run` listens")
        parser.add_argument("--port", type=int, default=8000, help="where `make run` listens")

    @transaction.atomic
    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "데모 계정은 개발 환경(DJANGO_DEBUG=1)에서만 만들 수 있습니다. / "
                "Demo accounts are only created with DJANGO_DEBUG=1, never in production."
            )
        User = get_user_model()
        lines = []
        for username, role, group, departments, superuser in ACCOUNTS:
            password = secrets.token_urlsafe(12)
            user, _ = User.objects.get_or_create(username=username)
            user.is_staff = True
            user.is_superuser = superuser
            user.set_password(password)
            user.save()
            if group:
                user.groups.set([Group.objects.get(name=group)])
            user.departments.set(Department.objects.filter(name__in=departments))
            lines.append(f"  {username:<10} {password:<18} {role}")
        host = options["host"]
        host = f"[{host}]" if ":" in host else host  # an IPv6 address in a URL
        admin_url = f"http://{host}:{options['port']}/admin/"
        self.stdout.write(f"Demo accounts ({admin_url}), passwords shown once:")
        self.stdout.write("\n".join(lines))
