"""A bounded load test on loopback, with staff writing while citizens read.

    python benchmarks/loadtest.py [--clients 50] [--seconds 60] [--restart-postgres-at S]
                                  [--servers 2]

Needs PostgreSQL (DATABASE_URL); it migrates and seeds that database. It serves the
portal with gunicorn on 127.0.0.1 (--servers instances; more than one needs a shared
Redis cache, DJANGO_CACHE_URL=redis://…), then for --seconds (and no longer):

- --clients threads read public pages and the open-data API, each request from any
  of the servers;
- one staff member saves figures through the admin's grid form on the first server,
  again and again;
- one staff member imports a figures file through the admin on the last server (dry
  run, then confirm);
- the reviewer (공약 총괄) publishes the two pledges through the review queue's batch
  action, every few seconds (a publication refused because a draft moved between the
  confirmation page and the submit is a clean refusal, counted).

Staff saves are drafts: citizens see them once published. After the run the reviewer
publishes once more; every confirmed save and import must be in the database and its
history (no lost update), every server must then serve the last saved figure, and no
request may have answered 5xx. Prints p50/p95/p99 latency. With --restart-postgres-at,
PostgreSQL is restarted during the run: requests in the outage may fail (cleanly: a
5xx page, never a hang), the app must recover without a restart, and no import may be
half-written. Prints a summary (p95 latency included) and exits non-zero on failure.
"""

import argparse
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from html.parser import HTMLParser
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
STAFF, PASSWORD = "load-staff", "load-test-password-7"
REVIEWER = "load-reviewer"
PUBLISHED_CODES = ("12-7", "12-9")
READ_URLS = [
    "/",
    "/pledges/",
    "/pledges/?department=공공건축과&sort=rate",
    "/pledges/12-1/",
    "/pledges/12-8/",
    "/en/pledges/12-9/",
    "/departments/공공건축과/",
    "/api/pledges/",
    "/api/pledges/12-7/",
    "/api/pledges.csv",
]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=env.get("DJANGO_SECRET_KEY", "loadtest-only-not-a-secret"),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_COOKIES="0",  # plain http on loopback
        DJANGO_LOGIN_FAILURE_LIMIT="1000",
        DJANGO_API_THROTTLE_RATE="1000000/minute",  # 50 readers share one address here
        DJANGO_LOG_LEVEL="WARNING",
    )
    return env


class FormFields(HTMLParser):
    """Every named input, select and textarea of the page's forms, with its value."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, str] = {}
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "file", "checkbox"):
            self.fields[name] = attrs.get("value") or ""
        elif tag == "input" and name and attrs.get("type") == "checkbox" and "checked" in attrs:
            self.fields[name] = attrs.get("value") or "on"
        elif tag == "select" and name:
            self._select = name
            self.fields.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields[self._select] = attrs.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data


def form_fields(html: str) -> dict[str, str]:
    parser = FormFields()
    parser.feed(html)
    return parser.fields


class Run:
    def __init__(self, bases: list[str], seconds: int):
        self.id = time.strftime("%Y%m%d%H%M%S")  # makes this run's reasons and files unique
        self.bases = bases
        self.deadline = time.monotonic() + seconds
        self.lock = threading.Lock()
        self.reads: list[tuple[float, int, float]] = []  # (time, status, ms)
        self.saves: list[int] = []
        self.imports: list[int] = []
        self.publications: list[float] = []
        self.review_ids: list[int] = []
        self.publish_refusals = 0
        self.write_failures: list[str] = []
        self.read_failures: list[str] = []
        self.outage: tuple[float, float] | None = None

    def alive(self) -> bool:
        return time.monotonic() < self.deadline

    def read(self) -> None:
        session = requests.Session()
        while self.alive():
            url = random.choice(self.bases) + random.choice(READ_URLS)
            started = time.monotonic()
            try:
                status = session.get(url, timeout=10).status_code
            except requests.RequestException as error:
                status = 0
                with self.lock:
                    self.read_failures.append(f"{url}: {type(error).__name__}: {error}"[:300])
            else:
                if status >= 500:
                    with self.lock:
                        self.read_failures.append(f"{url}: {status}")
            with self.lock:
                self.reads.append((started, status, (time.monotonic() - started) * 1000))

    def _login(self, base: str, username: str = STAFF) -> requests.Session:
        session = requests.Session()
        page = session.get(f"{base}/admin/login/", timeout=10)
        data = form_fields(page.text) | {"username": username, "password": PASSWORD}
        session.post(f"{base}/admin/login/?next=/admin/", data=data, timeout=10)
        return session

    def save_figures(self, project_id: int) -> None:
        base = self.bases[0]
        session, counter = self._login(base), 1000
        url = f"{base}/admin/budgets/budgetfigure/grid/{project_id}/"
        while self.alive():
            counter += 1
            try:
                data = form_fields(session.get(url, timeout=10).text)
                data["cell__executed__total__2026"] = str(counter)
                data["change_reason"] = f"load-{self.id}-{counter}"
                response = session.post(url, data=data, timeout=30, allow_redirects=False)
                if response.status_code == 302:
                    with self.lock:
                        self.saves.append(counter)
                else:
                    self.write_failures.append(f"save {counter}: {response.status_code}")
            except requests.RequestException as error:
                self.write_failures.append(f"save {counter}: {type(error).__name__}")
                time.sleep(0.5)

    def run_imports(self) -> None:
        base = self.bases[-1]
        session, counter = self._login(base), 5000
        url = f"{base}/admin/budgets/budgetfigure/import/"
        while self.alive():
            counter += 1
            csv = (
                "공약,세부사업,표,재원,기간,금액(백만원),비고\n"
                f"12-9,본사업,집행금액,계,2025,{counter},\n"
                f"12-9,본사업,임기내 계획,계,2025,{counter},\n"
            ).encode("utf-8-sig")
            try:
                page = form_fields(session.get(url, timeout=10).text)
                dry = session.post(
                    url,
                    data={"csrfmiddlewaretoken": page["csrfmiddlewaretoken"], "format": "1"},
                    files={
                        "import_file": (f"load-import-{self.id}-{counter}.csv", csv, "text/csv")
                    },
                    timeout=30,
                )
                confirm = form_fields(dry.text)
                if "import_token" not in confirm:
                    self.write_failures.append(f"import {counter}: dry run {dry.status_code}")
                    continue
                done = session.post(
                    f"{base}/admin/budgets/budgetfigure/process_import/",
                    data=confirm,
                    timeout=30,
                    allow_redirects=False,
                )
                if done.status_code == 302:
                    with self.lock:
                        self.imports.append(counter)
                else:
                    self.write_failures.append(f"import {counter}: {done.status_code}")
            except requests.RequestException as error:
                self.write_failures.append(f"import {counter}: {type(error).__name__}")
                time.sleep(0.5)

    def publish_once(self, session: requests.Session, base: str) -> bool:
        """The reviewer's batch action: select the reviews, confirm on the page shown."""
        url = f"{base}/admin/publications/pledgereview/"
        page = form_fields(session.get(url, timeout=10).text)
        chosen = {"_selected_action": [str(pk) for pk in self.review_ids]}
        shown = session.post(
            url,
            data={
                "csrfmiddlewaretoken": page["csrfmiddlewaretoken"],
                "action": "publish_selected",
                "index": "0",
                **chosen,
            },
            timeout=30,
        )
        confirm = form_fields(shown.text)
        if "draft" not in confirm:
            self.write_failures.append(f"publish: confirmation page {shown.status_code}")
            return False
        data = {
            "csrfmiddlewaretoken": confirm["csrfmiddlewaretoken"],
            "action": confirm["action"],
            "apply": "yes",
            "draft": confirm["draft"],
            "message": f"load-{self.id}",
            **chosen,
        }
        done = session.post(url, data=data, timeout=60, allow_redirects=False)
        if done.status_code == 302:
            with self.lock:
                self.publications.append(time.monotonic())
            return True
        moved = "The department changed this pledge after you opened this page" in done.text
        self.write_failures.append(
            f"publish: {done.status_code}"
            + (" (a save came between the page and the submit: refused)" if moved else "")
        )
        with self.lock:
            self.publish_refusals += moved
        return False

    def publish(self) -> None:
        base = self.bases[-1]
        session = self._login(base, REVIEWER)
        while self.alive():
            try:
                self.publish_once(session, base)
            except requests.RequestException as error:
                self.write_failures.append(f"publish: {type(error).__name__}")
            time.sleep(3)


def restart_postgres(run: Run, after: float) -> None:
    time.sleep(after)
    version = sorted(os.listdir("/usr/lib/postgresql"))[-1]
    started = time.monotonic()
    subprocess.run(["pg_ctlcluster", version, "main", "restart"], check=True)
    run.outage = (started, time.monotonic() + 2)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--restart-postgres-at", type=float)
    parser.add_argument("--servers", type=int, default=1)
    options = parser.parse_args()
    env = _env()
    if not env.get("DATABASE_URL", "").startswith("postgres"):
        print("loadtest skipped: set DATABASE_URL to a PostgreSQL database")
        return 0
    if options.servers > 1:
        if not env.get("DJANGO_CACHE_URL", "").startswith("redis"):
            print("--servers > 1 needs a shared cache: set DJANGO_CACHE_URL=redis://…")
            return 2
        import redis

        redis.Redis.from_url(env["DJANGO_CACHE_URL"]).flushdb()
    manage = [sys.executable, str(ROOT / "manage.py")]
    for command in (
        ["migrate", "--noinput", "-v0"],
        ["load_initial_data", "-v0"],
        ["collectstatic", "--noinput", "-v0"],
        [
            "shell",
            "-v0",
            "-c",
            "from tests.factories import department_staff;"
            "from django.contrib.auth import get_user_model;"
            f"get_user_model().objects.filter(username='{STAFF}').delete();"
            f"u = department_staff('{STAFF}', departments=('공공건축과',));"
            f"u.set_password('{PASSWORD}'); u.save();"
            "from tests.factories import reviewer;"
            f"get_user_model().objects.filter(username='{REVIEWER}').delete();"
            f"r = reviewer('{REVIEWER}'); r.set_password('{PASSWORD}'); r.save()",
        ],
    ):
        subprocess.run(manage + command, env=env, cwd=ROOT, check=True)

    sys.path.insert(0, str(ROOT))
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paju_pledges.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from budgets.models import BudgetFigure
    from pledges.models import Project, Term
    from publications.models import PledgeReview, PublicationRound
    from publications.services import round_open

    project = Project.objects.get(pledge__code="12-7", pledge__term__is_current=True)
    term = Term.objects.get(is_current=True)
    round_ = PublicationRound.objects.filter(term=term, closed_at__isnull=True).first()
    if round_ is None:
        round_ = round_open(
            term=term,
            name=f"부하 시험 {time.strftime('%Y-%m-%d %H:%M')}",
            due_on=timezone.localdate(),
            by=get_user_model().objects.get(username=REVIEWER),
        )
    review_ids = list(
        PledgeReview.objects.filter(round=round_, pledge__code__in=PUBLISHED_CODES)
        .order_by("pk")
        .values_list("pk", flat=True)
    )

    gunicorn = shutil.which("gunicorn") or str(Path(sys.executable).parent / "gunicorn")
    servers, bases = [], []
    for _ in range(options.servers):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        servers.append(
            subprocess.Popen(
                [
                    gunicorn,
                    "paju_pledges.wsgi:application",
                    "--workers",
                    "2",
                    "--threads",
                    "8",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--timeout",
                    "60",
                    # Idle keep-alive connections stay open longer than a client leaves
                    # one idle while it talks to the other server (gunicorn's default, 2 s,
                    # races the client's next request on the same connection).
                    "--keep-alive",
                    "30",
                    "--log-level",
                    "warning",
                ],
                env=env,
                cwd=ROOT,
            )
        )
        bases.append(f"http://127.0.0.1:{port}")
    for base in bases:
        for _ in range(100):
            try:
                requests.get(base + "/healthz", timeout=1)
                break
            except requests.RequestException:
                time.sleep(0.2)
    run = Run(bases, options.seconds)
    run.review_ids = review_ids
    threads = [threading.Thread(target=run.read) for _ in range(options.clients)]
    threads += [
        threading.Thread(target=run.save_figures, args=(project.pk,)),
        threading.Thread(target=run.run_imports),
        threading.Thread(target=run.publish),
    ]
    if options.restart_postgres_at is not None:
        threads.append(
            threading.Thread(target=restart_postgres, args=(run, options.restart_postgres_at))
        )
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    healthy_after = max(requests.get(b + "/healthz", timeout=10).status_code for b in bases)
    # the writers have stopped: the reviewer publishes what they left, then every server
    # must serve it
    published_during = len(run.publications)
    published_after = run.publish_once(run._login(bases[-1], REVIEWER), bases[-1])
    served = {
        base: requests.get(f"{base}/api/pledges/12-7/", timeout=10)
        .json()["finance"]["executed_by_year"]
        .get("2026")
        for base in bases
    }
    for server in servers:
        server.terminate()
    for server in servers:
        server.wait(timeout=20)

    from django.db import connection

    connection.close()
    in_outage = (
        (lambda t: run.outage[0] - 1 <= t <= run.outage[1] + 5) if run.outage else (lambda t: False)
    )
    errors = [(t, s) for t, s, _ms in run.reads if s >= 500 or s == 0]
    errors_outside = [e for e in errors if not in_outage(e[0])]
    latencies = sorted(ms for _t, s, ms in run.reads if 0 < s < 500)
    lost_saves = [
        n
        for n in run.saves
        if not BudgetFigure.history.filter(
            project=project,
            kind="executed",
            period="2026",
            amount=n,
            history_change_reason=f"load-{run.id}-{n}",
        ).exists()
    ]
    lost_imports = [
        n
        for n in run.imports
        if BudgetFigure.history.filter(
            project__pledge__code="12-9",
            period="2025",
            amount=n,
            history_change_reason__contains=f"load-import-{run.id}-{n}.csv",
        ).count()
        != 2
    ]
    half_written = [
        reason
        for reason in BudgetFigure.history.filter(
            history_change_reason__contains=f"load-import-{run.id}-"
        )
        .values_list("history_change_reason", flat=True)
        .distinct()
        if BudgetFigure.history.filter(history_change_reason=reason).count() != 2
    ]
    final = (
        BudgetFigure.objects.filter(project=project, kind="executed", period="2026")
        .values_list("amount", flat=True)
        .first()
    )
    print(
        f"reads: {len(run.reads):,}, 5xx or failed: {len(errors)} "
        f"({len(errors_outside)} outside a PostgreSQL restart)"
    )
    for failure in run.read_failures[:5]:
        print(f"  failed read: {failure}")
    if latencies:
        print(
            f"latency over {options.servers} server(s): p50 {statistics.median(latencies):.1f} ms, "
            f"p95 {latencies[int(len(latencies) * 0.95) - 1]:.1f} ms, "
            f"p99 {latencies[int(len(latencies) * 0.99) - 1]:.1f} ms"
        )
    print(
        f"figure saves confirmed: {len(run.saves)}, lost: {len(lost_saves)}; "
        f"final value {final} (last confirmed {run.saves[-1] if run.saves else '-'})"
    )
    print(
        f"imports confirmed: {len(run.imports)}, lost: {len(lost_imports)}, "
        f"half-written: {len(half_written)}"
    )
    stale = {base: value for base, value in served.items() if value != final}
    print(
        f"publications through the review queue during the run: {published_during} "
        f"({run.publish_refusals} refused: the draft moved under the reviewer), "
        f"after it: {'yes' if published_after else 'REFUSED'}"
    )
    print(
        f"servers serving the final figure {final} once published: "
        f"{len(served) - len(stale)} of {len(served)}"
    )
    print(
        f"write attempts that failed cleanly: {len(run.write_failures)}; "
        f"health after the run: {healthy_after}"
    )
    for failure in run.write_failures[:5]:
        print(f"  write refused: {failure}")
    ok = (
        not errors_outside
        and not lost_saves
        and not lost_imports
        and not half_written
        and healthy_after == 200
        and published_after
        and not stale
        and run.saves
        and run.imports
        and (not run.saves or final == run.saves[-1])
    )
    print("loadtest passed" if ok else "loadtest FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
