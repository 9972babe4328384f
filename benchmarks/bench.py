"""`make bench`: the portal at 10,000 and 50,000 pledges, measured in one run.

    python benchmarks/bench.py [--pledges 10000,50000] [--seconds 30] [--rebuild]
    python benchmarks/bench.py --pages-only [--pledges 10000,50000]   (public pages only)
    python benchmarks/bench.py table [benchmarks/results/bench-….json] (docs/performance.md's table;
        the newest result without a file; `make bench-table [JSON=…]`)
    python benchmarks/bench.py --history-only [--history-pledges 1000] [--history-rows 100000]
    python benchmarks/bench.py --search-only [--pledges 10000]   (the public search only)
    DATABASE_URL=… python benchmarks/bench.py child search 30   (public search, built database)
    python benchmarks/bench.py --import-only [--pledges 1000] [--import-rows 2000]
    python benchmarks/bench.py --report-only [--pledges 10000] [--skip-import-export]

Each size has its own benchmark database with the seed and synthetic data: on
PostgreSQL (DATABASE_URL=postgres://…/NAME) the database NAME_<size>, created when
missing; otherwise benchmarks/bench-<size>.sqlite3. A database that already holds that
many synthetic pledges is reused (building 50,000 takes minutes); --rebuild builds anew.
Then it measures and prints a table per size (and writes JSON under benchmarks/results/):

- the audit workbook at --history-pledges synthetic pledges (its own small SQLite
  database), with and without --history-rows old history rows outside its 12-month
  window: time, CPU time, peak memory, queries (--history-only: this and nothing else);
- SQL queries and server time (median, p95 over >= 30 warm requests) per public page,
  uncached and cached;
- the public search (the list page with ``q=``, uncached) for words found nowhere, one
  and two common words found in titles or in the milestones, and a common 4-character
  word (``SEARCHES``): queries, median, p95, and on PostgreSQL the query plan of the
  search;
- at the smallest size only: the audit workbook (whole platform, and one department's)
  against a bare XlsxWriter dump of the same rows and against django-import-export's
  export of the same rows: time, peak memory, ratios;
- a 10,000-row figures import, dry run and confirm: time and peak memory;
- a pledge page's first view: bytes over the wire, compressed;
- throughput under gunicorn (2 workers, loopback) for a pledge page against a static
  file through the same server, with wrk (bounded: it stops after --seconds).

Each heavy measurement runs in a child process so its peak memory (max RSS) is its own.
"""

import argparse
import gzip
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
TERM = 900
BASE_URL = os.environ.get("DATABASE_URL", "")


def database_url(size: int) -> str:
    """The benchmark database of one size (see the module docstring)."""
    if BASE_URL.startswith("postgres"):
        base, _slash, name = BASE_URL.rpartition("/")
        return f"{base}/{name.split('?')[0]}_{size}"
    return f"sqlite:///{ROOT / 'benchmarks' / f'bench-{size}.sqlite3'}"


def _postgres_database_create(url: str) -> None:
    import psycopg2

    base, _slash, name = url.rpartition("/")
    connection = psycopg2.connect(f"{base}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def _env(database: str | None = None) -> dict[str, str]:
    env = dict(os.environ)
    if database:
        env["DATABASE_URL"] = database
    env.setdefault("DJANGO_SECRET_KEY", "bench-only-not-a-secret")
    env.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    env["DJANGO_DEBUG"] = "0"
    env.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")  # plain http on loopback
    env.setdefault("DJANGO_API_THROTTLE_RATE", "1000000/minute")  # one client, many requests
    env["DJANGO_SETTINGS_MODULE"] = "paju_pledges.settings"
    return env


def _django() -> None:
    os.environ.update({k: v for k, v in _env().items() if k not in os.environ})
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _manage(*args: str, database: str | None = None) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=_env(database), check=True)


def _child(kind: str, *args: str, database: str | None = None) -> dict:
    """Run one measurement in a fresh process; it prints JSON with its own max RSS."""
    output = subprocess.run(
        [sys.executable, __file__, "child", kind, *args],
        env=_env(database),
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def _cpu_seconds() -> float:
    """CPU time of this process (user + system): steadier than wall time on a busy machine."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return round(usage.ru_utime + usage.ru_stime, 2)


def _max_rss_mb() -> float:
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


# Children -------------------------------------------------------------------------------


# Every public page at scale, and the seed page of the same kind: the counts must match
# (the scale budget, docs/performance.md: the same number of queries as over the seed's
# 6 pledges, at most 10).
QUERY_BUDGET = 10
TIME_TARGET_MS = 25


def child_pages(requests: int) -> dict:
    _django()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from pledges.models import Pledge

    client = Client()
    pledge = Pledge.objects.filter(term__number=TERM, budget_type="budget").order_by("pk")[500]
    department = pledge.department.name
    in_department = Pledge.objects.filter(term__number=TERM, department=pledge.department).count()
    last_page = (Pledge.objects.filter(term__number=TERM).count() + 11) // 12
    last_api_page = (Pledge.objects.filter(term__number=TERM).count() + 99) // 100
    last_department_page = (in_department + 49) // 50
    # name: (the page at scale, the same kind of page over the seed's 6 pledges)
    pages = {
        "home": (f"/?term={TERM}", "/"),
        "list, first page": (f"/pledges/?term={TERM}", "/pledges/"),
        "list, last page": (f"/pledges/?term={TERM}&page={last_page}", "/pledges/?page=1"),
        "list, filtered": (
            f"/pledges/?term={TERM}&stage=in_progress&sort=rate",
            "/pledges/?stage=complete&sort=rate",
        ),
        "list, searched": (f"/pledges/?term={TERM}&q=센터", "/pledges/?q=센터"),
        "list, filtered + searched": (
            f"/pledges/?term={TERM}&stage=in_progress&sort=rate&q=센터",
            "/pledges/?stage=complete&sort=rate&q=센터",
        ),
        "detail": (f"/pledges/{pledge.code}/?term={TERM}", "/pledges/12-8/"),
        "department": (f"/departments/{department}/?term={TERM}", "/departments/공공건축과/"),
        "department, last page": (
            f"/departments/{department}/?term={TERM}&page={last_department_page}",
            "/departments/공공건축과/?page=1",
        ),
        "API list": (f"/api/pledges/?term={TERM}", "/api/pledges/"),
        "API list, last page": (
            f"/api/pledges/?term={TERM}&page={last_api_page}",
            "/api/pledges/?page=1",
        ),
        "API detail": (f"/api/pledges/{pledge.code}/?term={TERM}", "/api/pledges/12-9/"),
        "API list, filtered": (
            f"/api/pledges/?term={TERM}&stage=in_progress&sort=rate&q=센터",
            "/api/pledges/?stage=complete&sort=rate&q=센터",
        ),
        "API pledge cells CSV": (
            f"/api/pledges/{pledge.code}/figures.csv?term={TERM}",
            "/api/pledges/12-8/figures.csv",
        ),
        "seed detail (6 pledges)": ("/pledges/12-8/", None),
        "seed list (6 pledges)": ("/pledges/", None),
    }

    def queries_of(url: str) -> int:
        cache.clear()
        client.get(url)  # warm
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return len(queries)

    results = {}
    load_before = os.getloadavg()
    for name, (url, seed_url) in pages.items():
        row = {"url": url}
        for mode in ("uncached", "cached"):
            timings, cpu, sql = [], [], []
            for attempt in range(requests + 3):
                if mode == "uncached":
                    cache.clear()
                with CaptureQueriesContext(connection) as queries:
                    started, cpu_started = time.perf_counter(), time.process_time()
                    response = client.get(url)
                    elapsed = (time.perf_counter() - started) * 1000
                    cpu_elapsed = (time.process_time() - cpu_started) * 1000
                assert response.status_code == 200, (url, response.status_code)
                if attempt >= 3:  # warm
                    timings.append(elapsed)
                    cpu.append(cpu_elapsed)
                    sql.append(sum(float(q["time"]) for q in queries.captured_queries) * 1000)
            timings.sort()
            row[mode] = {
                "queries": len(queries),
                "median_ms": round(statistics.median(timings), 2),
                "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 2),
                # this process's CPU only (not the database's): steadier on a busy machine
                "cpu_median_ms": round(statistics.median(cpu), 2),
                # time spent waiting for the database's answers, as Django measured it
                "sql_median_ms": round(statistics.median(sql), 2),
            }
        if seed_url:
            row["seed"] = {"url": seed_url, "queries": queries_of(seed_url)}
        results[name] = row
    return {
        "pages": results,
        "load": {"before": load_before, "after": os.getloadavg()},
        "max_rss_mb": _max_rss_mb(),
    }


def page_verdicts(results: dict) -> list[str]:
    """What the pages at every size broke: a count that differs from the seed page's
    (fails the run), over the query budget, over the time target (reported)."""
    verdicts = []
    for size, row in results["sizes"].items():
        for name, page in row.get("pages", {}).get("pages", {}).items():
            queries = page["uncached"]["queries"]
            seed = page.get("seed")
            if seed and seed["queries"] != queries:
                verdicts.append(
                    f"FAIL {int(size):,} pledges, {name}: {queries} queries, the seed's "
                    f"{seed['url']} takes {seed['queries']}"
                )
            if queries > QUERY_BUDGET:
                verdicts.append(
                    f"over budget {int(size):,} pledges, {name}: {queries} queries "
                    f"(> {QUERY_BUDGET})"
                )
            if page["uncached"]["median_ms"] > TIME_TARGET_MS:
                verdicts.append(
                    f"slow {int(size):,} pledges, {name}: median {page['uncached']['median_ms']}"
                    f" ms (> {TIME_TARGET_MS} ms)"
                )
        publish = row.get("publish")
        if publish and publish["seconds"] > PUBLISH_TARGET_S:
            verdicts.append(
                f"slow {int(size):,} pledges, publishing the term: {publish['seconds']} s "
                f"(> {PUBLISH_TARGET_S} s)"
            )
        if publish and publish["version_moves"] != 1:
            verdicts.append(
                f"FAIL {int(size):,} pledges, publishing moved the public version "
                f"{publish['version_moves']} times (once expected)"
            )
    return verdicts


def child_figures_csv() -> dict:
    """/api/figures.csv of the whole synthetic term, streamed: time, rows, bytes, max RSS."""
    _django()
    from django.test import Client

    started = time.perf_counter()
    response = Client().get(f"/api/figures.csv?term={TERM}")
    assert response.status_code == 200 and response.streaming, response.status_code
    rows = size = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        rows += chunk.count(b"\n")
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "rows": rows - 1,  # the header
        "megabytes": round(size / 1e6, 1),
        "max_rss_mb": _max_rss_mb(),
    }


# Words the synthetic cards hold: none contains 민원 (12-1 of the seed does); 건립 and
# 센터 are in the title of one card in four, 착공, 계획 and 수립 in the milestones (not
# the title) of nine in ten, 세부사업 in the sub-projects of nearly half.
SEARCHES = {
    "3+ characters, no match": "민원콜센터",
    "2 characters, no match": "민원",
    "2 characters, 1 in 4 match": "건립",
    "2 characters, 9 in 10, texts": "착공",
    "2 words, 1 in 4, titles": "센터 건립",
    "2 words, 9 in 10, texts": "계획 수립",
    "4 characters, 5 in 10, texts": "세부사업",
}


def child_search(requests: int) -> dict:
    _django()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from pledges.models import Term
    from publications.models import Publication

    client = Client()
    term = Term.objects.get(number=TERM)
    published = Publication.objects.standing(term)  # what the public search reads
    results = {}
    for name, text in SEARCHES.items():
        url = f"/pledges/?{urlencode({'term': TERM, 'q': text})}"
        timings, cpu, sql = [], [], []
        for attempt in range(requests + 3):
            cache.clear()
            with CaptureQueriesContext(connection) as queries:
                started, cpu_started = time.perf_counter(), time.process_time()
                response = client.get(url)
                elapsed = (time.perf_counter() - started) * 1000
                cpu_elapsed = (time.process_time() - cpu_started) * 1000
            assert response.status_code == 200, (url, response.status_code)
            if attempt >= 3:  # warm
                timings.append(elapsed)
                cpu.append(cpu_elapsed)
                sql.append(sum(float(q["time"]) for q in queries.captured_queries) * 1000)
        timings.sort()
        found = published.search(text).count()
        results[name] = {
            "q": text,
            "found": found,
            "queries": len(queries),
            "median_ms": round(statistics.median(timings), 2),
            "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 2),
            "cpu_median_ms": round(statistics.median(cpu), 2),
            "sql_median_ms": round(statistics.median(sql), 2),
        }
    plan = ""
    if connection.vendor == "postgresql":
        for name in ("2 characters, no match", "2 characters, 1 in 4 match"):
            queryset = published.search(SEARCHES[name]).order_by().values("pk")
            sql_text, params = queryset.query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, FORMAT TEXT) {sql_text}", params)
                lines = "\n".join(row[0] for row in cursor.fetchall())
            plan += f"-- {name}: {SEARCHES[name]}\n{lines}\n"
    return {"vendor": connection.vendor, "searches": results, "plan": plan}


def child_report(path: str, department: str = "") -> dict:
    _django()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from budgets.report import audit_report_write
    from departments.models import Department

    scope = Department.objects.get(name=department) if department else None
    started, cpu = time.perf_counter(), _cpu_seconds()
    with CaptureQueriesContext(connection) as queries:
        summary = audit_report_write(output=path, generated_by="bench", department=scope)
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "cpu_seconds": round(_cpu_seconds() - cpu, 2),
        "max_rss_mb": _max_rss_mb(),
        "queries": len(queries),
        "pledges": summary.pledges,
        "findings": summary.findings,
        "changes": summary.changes,
    }


def _report_rows():
    """The rows the audit workbook's data sheets hold, read plainly from the database."""
    from budgets.models import BudgetFigure
    from pledges.models import Milestone, Pledge

    yield from Pledge.objects.values_list(
        "code",
        "title",
        "vision__title",
        "department__name",
        "stage",
        "stage_since",
        "target_year",
        "as_of",
        "budget_type",
        "project_type",
        "completion",
        "implementer",
        "central_support",
    ).iterator(chunk_size=2000)
    yield from BudgetFigure.objects.values_list(
        "project__pledge__code",
        "project__name",
        "kind",
        "source",
        "period",
        "amount",
        "note",
        "project__position",
    ).iterator(chunk_size=5000)
    yield from Milestone.objects.values_list(
        "pledge__code",
        "position",
        "date_text",
        "start",
        "end",
        "text",
        "parent_id",
        "project_id",
    ).iterator(chunk_size=5000)


def child_bare(path: str) -> dict:
    """The same library as the workbook (XlsxWriter, constant memory), no styles, no logic."""
    _django()
    import xlsxwriter

    started, cpu = time.perf_counter(), _cpu_seconds()
    book = xlsxwriter.Workbook(path, {"constant_memory": True})
    sheet = book.add_worksheet("rows")
    rows = 0
    for row in _report_rows():
        sheet.write_row(
            rows, 0, [v if isinstance(v, int | float | str) or v is None else str(v) for v in row]
        )
        rows += 1
    book.close()
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "cpu_seconds": round(_cpu_seconds() - cpu, 2),
        "max_rss_mb": _max_rss_mb(),
        "rows": rows,
    }


def child_import_export(path: str) -> dict:
    """django-import-export's own export of the figure rows (the bulk of the workbook)."""
    _django()
    from budgets.models import BudgetFigure
    from budgets.resources import BudgetFigureResource, SafeXLSX

    started = time.perf_counter()
    dataset = BudgetFigureResource().export(BudgetFigure.objects.all())
    Path(path).write_bytes(SafeXLSX().export_data(dataset))
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "max_rss_mb": _max_rss_mb(),
        "rows": len(dataset),
    }


def child_import(rows: int) -> dict:
    _django()
    import tablib

    from budgets.models import BudgetFigure
    from budgets.resources import COLUMNS, BudgetFigureResource
    from budgets.services import figures_import

    figures = (
        BudgetFigure.objects.filter(project__pledge__term__number=TERM, kind="executed")
        .select_related("project__pledge")
        .order_by("pk")[:rows]
    )
    resource = BudgetFigureResource()
    dataset = tablib.Dataset(headers=list(COLUMNS.values()))
    for n, figure in enumerate(figures):
        row = resource.export_resource(figure)
        row[6] = figure.amount + (1 if n % 2 else 0)  # half changed, half unchanged
        dataset.append(row)
    result = {}
    for label, dry_run in (("dry run", True), ("confirm", False)):
        # as the admin does it: check and plan outside any transaction, then the service
        started = time.perf_counter()
        resource = BudgetFigureResource()
        outcome = resource.import_data(dataset)
        assert not outcome.has_errors() and not outcome.has_validation_errors()
        planned = time.perf_counter()
        figures_import(
            amounts=resource.amounts, notes=resource.notes, reason="bench", dry_run=dry_run
        )
        result[label] = {
            "seconds": round(time.perf_counter() - started, 2),
            "write_transaction_seconds": round(time.perf_counter() - planned, 2),
            "totals": dict(outcome.totals),
        }
    result["rows"] = len(dataset)
    result["max_rss_mb"] = _max_rss_mb()
    return result


PUBLISH_TARGET_S = 60  # the scale budget: publishing 10,000 pledges within a minute


def child_publish() -> dict:
    """Publishing the whole term in one call, as the reviewer's batch action does, with a
    draft on every pledge: first one executed figure of each pledge is corrected (+1, with
    its history row, as a staff save writes it), then the term is published. The public
    version must move once."""
    _django()
    from django.db.models import Min
    from simple_history.utils import bulk_update_with_history

    from budgets.models import BudgetFigure
    from pledges.cache import public_version
    from pledges.models import Pledge
    from publications.services import publication_publish

    pledges = list(Pledge.objects.filter(term__number=TERM).values_list("pk", flat=True))
    first = (
        BudgetFigure.objects.filter(project__pledge__term__number=TERM, kind="executed")
        .values("project__pledge")
        .annotate(pk=Min("pk"))
        .values_list("pk", flat=True)
    )
    drafts = list(BudgetFigure.objects.filter(pk__in=list(first)))
    for figure in drafts:
        figure.amount += 1
    bulk_update_with_history(
        drafts, BudgetFigure, ["amount"], batch_size=500, default_change_reason="bench draft"
    )
    before = public_version()
    started, cpu = time.perf_counter(), _cpu_seconds()
    made = publication_publish(pledges=pledges, by=None, note="bench")
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "cpu_seconds": round(_cpu_seconds() - cpu, 2),
        "pledges": len(pledges),
        "published": len(made),
        "version_moves": public_version() - before,
        "max_rss_mb": _max_rss_mb(),
        "load": [round(n, 1) for n in os.getloadavg()],
    }


def child_old_history(rows: int) -> dict:
    """Add ``rows`` history records from 2024, long before the report's 12-month window.

    Old re-saves (nothing changed) of synthetic pledges, sub-projects, figures, milestones
    and official links, in equal parts: history the workbook has no reason to read, and
    that changes no figure and no finding.
    """
    _django()
    from datetime import UTC, timedelta

    from budgets.models import BudgetFigure
    from pledges.models import Milestone, Pledge, PledgeOfficial, Project

    start = datetime(2024, 1, 1, tzinfo=UTC)
    synthetic = {
        Pledge: {"term__number": TERM},
        Project: {"pledge__term__number": TERM},
        BudgetFigure: {"project__pledge__term__number": TERM},
        Milestone: {"pledge__term__number": TERM},
        PledgeOfficial: {"pledge__term__number": TERM},
    }
    added = {}
    for index, (model, lookup) in enumerate(synthetic.items()):
        history = model.history.model
        recorded = {f.attname for f in history._meta.concrete_fields} & {
            f.attname for f in model._meta.concrete_fields
        }
        objects = list(model.objects.filter(**lookup).order_by("pk").values(*recorded))
        share = rows // len(synthetic) + (1 if index < rows % len(synthetic) else 0)
        model.history.bulk_create(
            (
                history(
                    **objects[n % len(objects)],
                    history_date=start + timedelta(minutes=n),
                    history_type="~",
                    history_change_reason="bench: old re-save",
                )
                for n in range(share)
            ),
            batch_size=5000,
        )
        added[model.__name__] = share
    return {"rows": sum(added.values()), "by model": added, "max_rss_mb": _max_rss_mb()}


def history_growth(pledges: int, extra: int) -> dict:
    """The workbook with and without ``extra`` old history rows, at ``pledges`` pledges.

    Its own small database (benchmarks/bench-history.sqlite3), so the 10,000-pledge one
    is neither needed nor touched.
    """
    db = ROOT / "benchmarks" / "bench-history.sqlite3"
    db.unlink(missing_ok=True)
    database = f"sqlite:///{db}"
    _manage("migrate", "--noinput", "-v0", database=database)
    _manage("load_initial_data", "-v0", database=database)
    _manage("generate_synthetic", "--pledges", str(pledges), "--seed", "1", database=database)
    tmp = ROOT / "benchmarks" / "tmp"
    tmp.mkdir(exist_ok=True)
    path = str(tmp / "audit-history.xlsx")
    without = _child("report", path, database=database)
    added = _child("old_history", str(extra), database=database)
    with_extra = _child("report", path, database=database)
    db.unlink()
    return {
        "pledges": pledges,
        "extra history rows": added["rows"],
        "without": without,
        "with": with_extra,
        "max RSS with / without": round(with_extra["max_rss_mb"] / without["max_rss_mb"], 2),
    }


def child_weight() -> dict:
    _django()
    from django.conf import settings
    from django.test import Client

    from pledges.models import Pledge

    pledge = Pledge.objects.filter(term__is_current=True, code="12-8").first()
    html = Client().get(f"/pledges/{pledge.code}/").content
    assets = re.findall(rb'(?:href|src)="/static/([^"]+)"', html)
    sizes = {"html (gzip)": len(gzip.compress(html, 6))}
    for asset in assets:
        name = asset.decode()
        path = Path(settings.STATIC_ROOT) / name
        for suffix in (".br", ".gz", ""):
            if Path(str(path) + suffix).exists():
                sizes[f"{name} ({suffix.strip('.') or 'raw'})"] = (
                    Path(str(path) + suffix).stat().st_size
                )
                break
    hosts = re.findall(rb'(?:href|src)="(https?://[^"]+)"', html)
    return {"bytes": sum(sizes.values()), "parts": sizes, "other_hosts": len(hosts)}


# Throughput -------------------------------------------------------------------------------


def throughput(seconds: int) -> dict:
    wrk = shutil.which("wrk")
    gunicorn = shutil.which("gunicorn") or str(Path(sys.executable).parent / "gunicorn")
    if not wrk or not Path(gunicorn).exists():
        return {"skipped": "wrk or gunicorn is not installed (apt-get install wrk)"}
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [
            gunicorn,
            "paju_pledges.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "-",
            "--log-level",
            "warning",
        ],
        env=_env(),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        _django()
        from django.templatetags.static import static

        targets = {
            "pledge page": f"{base}/pledges/12-8/",
            "static file": base + static("css/portal.css"),
        }
        result = {}
        for name, url in targets.items():
            subprocess.run(["curl", "-s", "-o", "/dev/null", url], check=False)  # warm the cache
            out = subprocess.run(
                [wrk, "-t2", "-c16", f"-d{seconds}s", "--timeout", "5s", url],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
            errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
            result[name] = {
                "requests_per_s": rate,
                "non_2xx": int(errors.group(1)) if errors else 0,
            }
        result["ratio"] = round(
            result["pledge page"]["requests_per_s"] / result["static file"]["requests_per_s"], 2
        )
        return result
    finally:
        server.terminate()
        server.wait(timeout=10)


# Main -------------------------------------------------------------------------------------


def _synthetic_count(env: dict) -> int:
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "shell",
            "-v0",
            "-c",
            "from pledges.models import Pledge; "
            f"print(Pledge.objects.filter(term__number={TERM}).count())",
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    return int(out.stdout.strip().splitlines()[-1]) if out.returncode == 0 else -1


def build(pledges: int, rebuild: bool) -> dict:
    """Migrate and fill this size's database unless it already holds that many pledges."""
    url = database_url(pledges)
    os.environ["DATABASE_URL"] = url
    if url.startswith("postgres"):
        _postgres_database_create(url)
    _manage("migrate", "--noinput", "-v0")
    if not rebuild and _synthetic_count(_env()) == pledges:
        print(f"reusing {pledges:,} synthetic pledges in {url.rpartition('@')[2]}")
        return {"reused": True}
    _manage("load_initial_data", "-v0")
    started = time.perf_counter()
    _manage("generate_synthetic", "--pledges", str(pledges), "--seed", "1")
    seconds = round(time.perf_counter() - started, 1)
    print(f"synthetic data built in {seconds} s")
    return {"reused": False, "seconds": seconds}


def _machine() -> str:
    import platform

    cores, python = os.cpu_count(), platform.python_version()
    return f"{platform.node()}, {platform.machine()}, {cores} cores, Python {python}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pledges", default="10000,50000", help="sizes, comma-separated")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--history-pledges", type=int, default=1000)
    parser.add_argument("--history-rows", type=int, default=100_000)
    parser.add_argument(
        "--history-only",
        action="store_true",
        help="only the workbook with and without old history (its own small database)",
    )
    parser.add_argument(
        "--import-only",
        action="store_true",
        help="only the import's dry run and confirm of --import-rows rows at --pledges",
    )
    parser.add_argument("--import-rows", type=int, default=10_000)
    parser.add_argument(
        "--pages-only",
        action="store_true",
        help="only the public pages at each size (queries, server time), nothing heavy",
    )
    parser.add_argument(
        "--search-only",
        action="store_true",
        help="only the public search at each of --pledges (built or reused databases)",
    )
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="only the audit workbooks against the bare dump and import-export at --pledges",
    )
    parser.add_argument(
        "--skip-import-export",
        action="store_true",
        help="leave out django-import-export's export (it takes minutes and GBs)",
    )
    options = parser.parse_args()
    sizes = sorted(int(n) for n in options.pledges.split(","))
    tmp = ROOT / "benchmarks" / "tmp"
    tmp.mkdir(exist_ok=True)
    results = {
        "when": datetime.now().isoformat(timespec="seconds"),
        "machine": _machine(),
        "database": "PostgreSQL" if BASE_URL.startswith("postgres") else "SQLite",
        # The machine's load average (1, 5, 15 min) when the run began and ended: a busy
        # machine inflates every time (each size's pages record theirs too).
        "load": {"before": os.getloadavg()},
        "sizes": {},
    }
    if options.import_only:
        size = sizes[0]
        row = results["sizes"][str(size)] = {"build": build(size, options.rebuild)}
        row["import"] = _child("import", str(options.import_rows))
        row["publish"] = _child("publish")
        _write_results(results)
        return
    if options.pages_only:
        _manage("collectstatic", "--noinput", "-v0")
        for size in sizes:
            row = results["sizes"][str(size)] = {"build": build(size, options.rebuild)}
            row["pages"] = _child("pages", str(options.requests))
        _write_results(results)
        return
    if options.search_only:
        _manage("collectstatic", "--noinput", "-v0")
        for size in sizes:
            row = results["sizes"][str(size)] = {"build": build(size, options.rebuild)}
            row["search"] = _child("search", str(options.requests))
        _write_results(results)
        return
    if options.report_only:
        size = sizes[0]
        row = results["sizes"][str(size)] = {"build": build(size, options.rebuild)}
        row["report"] = report_part(tmp, with_import_export=not options.skip_import_export)
        _write_results(results)
        return
    results["history"] = history_growth(options.history_pledges, options.history_rows)
    if options.history_only:
        _write_results(results)
        return
    _manage("collectstatic", "--noinput", "-v0")
    for size in sizes:
        row = results["sizes"][str(size)] = {"build": build(size, options.rebuild)}
        row["pages"] = _child("pages", str(options.requests))
        row["search"] = _child("search", str(options.requests))
        if size != sizes[0]:
            continue
        row["report"] = report_part(tmp)
        row["figures_csv"] = _child("figures_csv")
        row["import"] = _child("import", "10000")
        row["publish"] = _child("publish")
        row["weight"] = _child("weight")
        row["throughput"] = throughput(options.seconds)
    _write_results(results)


def report_part(tmp: Path, *, with_import_export: bool = True) -> dict:
    """The workbooks against the bare dump of the same rows, each in its own process.

    Times are wall and CPU (user + system) seconds: on a shared machine the CPU ratio is
    the steadier one; the load average at the start is recorded beside them.
    """
    load = [round(n, 1) for n in os.getloadavg()]
    bare = _child("bare", str(tmp / "bare.xlsx"))
    report = _child("report", str(tmp / "audit.xlsx"))
    department = _child("report", str(tmp / "audit-department.xlsx"), "합성부서 001")
    part = {
        "load average at start": load,
        "audit workbook": report,
        "one department's workbook": department,
        "bare write-only dump": bare,
        "time vs bare": round(report["seconds"] / bare["seconds"], 2),
        "cpu vs bare": round(report["cpu_seconds"] / bare["cpu_seconds"], 2),
    }
    if with_import_export:
        ie = _child("import_export", str(tmp / "import-export.xlsx"))
        part["django-import-export export"] = ie
        part["import-export time vs workbook"] = round(ie["seconds"] / report["seconds"], 2)
    return part


def _write_results(results: dict) -> None:
    results["load"]["after"] = os.getloadavg()
    results["verdicts"] = page_verdicts(results)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"bench-{datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2))
    if "history" in results:
        _print_history(results["history"])
    for size, row in results["sizes"].items():
        if "pages" in row:
            _print(int(size), row, results["database"])
        elif "report" in row:
            _print_report(int(size), row["report"], results["database"])
        elif "import" in row:
            _print_import(row["import"])
        if "publish" in row:
            _print_publish(row["publish"])
        if "search" in row:
            _print_search(int(size), row["search"], results["database"])
    print(f"\nwritten to {out.relative_to(ROOT)}")
    print(f"load average (1, 5, 15 min): {_load(results['load'])}")
    for verdict in results["verdicts"]:
        print(verdict)
    failed = [v for v in results["verdicts"] if v.startswith("FAIL")]
    if failed:
        print(
            f"\n!!! {len(failed)} page(s) take a different number of queries at scale than "
            "over the seed's 6 pledges: the query count grows with the data !!!",
            file=sys.stderr,
        )
        sys.exit(1)


def _load(load: dict) -> str:
    def three(values) -> str:
        return " ".join(f"{value:.2f}" for value in values) if values else "?"

    return f"before {three(load.get('before'))}, after {three(load.get('after'))}"


def readme_table(path: str) -> None:
    """The tables of docs/performance.md, from one run's JSON: pages per size, then the workbook."""
    results = json.loads(Path(path).read_text())
    sizes = [n for n in results["sizes"] if "pages" in results["sizes"][n]]
    print(f"{results['database']}, {results['machine']}, {results['when']} ({Path(path).name})")
    if "load" in results:
        print(f"\nLoad average (1, 5, 15 min) of the machine: {_load(results['load'])}")
        for n in sizes:
            load = results["sizes"][n]["pages"].get("load")
            if load:
                print(f"- while the pages at {int(n):,} pledges were measured: {_load(load)}")
    print()
    if sizes:
        head = " | ".join(f"{int(n):,} pledges: queries, median, p95" for n in sizes)
        print(f"| page, uncached | 6 pledges: queries | {head} |")
        print("|---|---|" + "---|" * len(sizes))
        names = list(results["sizes"][sizes[-1]]["pages"]["pages"])
        for name in names:
            rows = [results["sizes"][n]["pages"]["pages"].get(name) for n in sizes]
            seed = next((row["seed"]["queries"] for row in rows if row and "seed" in row), None)
            cells = [str(seed) if seed is not None else "–"]
            for row in rows:
                if row is None:
                    cells.append("–")
                    continue
                u = row["uncached"]
                cells.append(f"{u['queries']}, {u['median_ms']} ms, {u['p95_ms']} ms")
            print(f"| {name} | " + " | ".join(cells) + " |")
        largest = sizes[-1]
        pages = results["sizes"][largest]["pages"]["pages"]
        if "sql_median_ms" in next(iter(pages.values()))["uncached"]:
            print(
                f"\n| at {int(largest):,} pledges, uncached | median | of it, waiting for SQL "
                "| this process's CPU |"
            )
            print("|---|---|---|---|")
            for name, row in pages.items():
                u = row["uncached"]
                print(
                    f"| {name} | {u['median_ms']} ms | {u['sql_median_ms']} ms "
                    f"| {u['cpu_median_ms']} ms |"
                )
    if results.get("verdicts"):
        print("\n" + "\n".join(f"- {verdict}" for verdict in results["verdicts"]))
    searched = [n for n in results["sizes"] if "search" in results["sizes"][n]]
    if searched:
        head = " | ".join(f"{int(n):,} pledges: found, queries, median, p95" for n in searched)
        print(f"\n| search, uncached | {head} |")
        print("|---|" + "---|" * len(searched))
        for name in results["sizes"][searched[-1]]["search"]["searches"]:
            cells = []
            for n in searched:
                r = results["sizes"][n]["search"]["searches"][name]
                cells.append(
                    f"{r['found']:,}, {r['queries']}, {r['median_ms']} ms, {r['p95_ms']} ms"
                )
            q = results["sizes"][searched[-1]]["search"]["searches"][name]["q"]
            print(f"| {name} ({q}) | " + " | ".join(cells) + " |")
    if not sizes:
        return
    small = results["sizes"][sizes[0]]
    if "report" not in small:
        return
    r, i = small["report"], small["import"]
    print(f"\n| at {int(sizes[0]):,} pledges | time | max RSS |")
    print("|---|---|---|")
    for name in (
        "audit workbook",
        "one department's workbook",
        "bare write-only dump",
        "django-import-export export",
    ):
        print(f"| {name} | {r[name]['seconds']} s | {r[name]['max_rss_mb']} MB |")
    print(f"| workbook time / bare dump time | {r['time vs bare']} | |")
    print(
        f"| import of {i['rows']:,} rows: dry run, confirm | {i['dry run']['seconds']} s, "
        f"{i['confirm']['seconds']} s | {i['max_rss_mb']} MB |"
    )
    t = small.get("throughput", {})
    if "ratio" in t:
        print(
            f"| gunicorn, 2 workers, wrk: pledge page vs static file | "
            f"{t['pledge page']['requests_per_s']} vs {t['static file']['requests_per_s']} req/s "
            f"({t['ratio']}) | |"
        )


def _print_history(h: dict) -> None:
    print(
        f"\n== audit workbook at {h['pledges']:,} synthetic pledges, "
        f"with and without {h['extra history rows']:,} old history rows =="
    )
    for name in ("without", "with"):
        r = h[name]
        print(
            f"{name:<10}{r['seconds']:>8} s{r['cpu_seconds']:>8} s CPU"
            f"{r['max_rss_mb']:>10} MB max RSS{r['queries']:>6} queries"
        )
    print(f"max RSS with / without: {h['max RSS with / without']}  (target <= 1.1)")


def _print_search(size: int, search: dict, database: str) -> None:
    print(f"\n== public search at {size:,} synthetic pledges, {database} (target <= 25 ms) ==")
    print(
        f"{'search':<30}{'q':<12}{'found':>7}{'queries':>9}{'median ms':>11}{'p95 ms':>9}"
        f"{'cpu ms':>9}{'sql ms':>9}"
    )
    for name, r in search["searches"].items():
        print(
            f"{name:<30}{r['q']:<12}{r['found']:>7}{r['queries']:>9}"
            f"{r['median_ms']:>11}{r['p95_ms']:>9}"
            f"{r.get('cpu_median_ms', ''):>9}{r.get('sql_median_ms', ''):>9}"
        )
    if search.get("plan"):
        print("\nplans of the published search:")
        print(search["plan"])


def _print_import(i: dict) -> None:
    print(f"\n== import of {i['rows']:,} rows ==")
    print(
        f"dry run {i['dry run']['seconds']} s, confirm {i['confirm']['seconds']} s "
        f"(in the write transaction: {i['dry run']['write_transaction_seconds']} s, "
        f"{i['confirm']['write_transaction_seconds']} s), "
        f"{i['max_rss_mb']} MB max RSS  (targets <= 60 s, <= 300 MB)"
    )


def _print_publish(p: dict) -> None:
    print(
        f"\n== publishing the whole term: {p['published']:,} of {p['pledges']:,} pledges had a "
        f"draft; {p['seconds']} s ({p['cpu_seconds']} s CPU), {p['max_rss_mb']} MB max RSS, "
        f"public version moved {p['version_moves']}x, load {p['load']} "
        f"(target <= {PUBLISH_TARGET_S} s, once) =="
    )


def _print_report(size: int, r: dict, database: str) -> None:
    load = r.get("load average at start")
    print(f"\n== audit workbook at {size:,} pledges, {database} (load average {load}) ==")
    for name in (
        "audit workbook",
        "one department's workbook",
        "bare write-only dump",
        "django-import-export export",
    ):
        if name in r:
            m = r[name]
            print(
                f"{name:<30}{m['seconds']:>8} s{m.get('cpu_seconds', '-'):>8} s CPU"
                f"{m['max_rss_mb']:>10} MB max RSS"
            )
    print(f"workbook time / bare dump time: {r['time vs bare']}  (target <= 0.5)")
    if "cpu vs bare" in r:
        print(f"workbook CPU / bare dump CPU: {r['cpu vs bare']}")
    department = r["one department's workbook"]
    print(
        f"one department's workbook: {department['seconds']} s, "
        f"{department.get('cpu_seconds', '-')} s CPU  (target <= 2)"
    )
    if "import-export time vs workbook" in r:
        print(
            f"import-export time / workbook time: {r['import-export time vs workbook']}"
            "  (target >= 4)"
        )


def _print(size: int, results: dict, database: str) -> None:
    print(f"\n== public pages at {size:,} synthetic pledges, {database} ==")
    print(f"{'page':<28}{'queries':>8}{'median ms':>11}{'p95 ms':>9}{'cached ms':>11}{'q':>4}")
    for name, row in results["pages"]["pages"].items():
        u, c = row["uncached"], row["cached"]
        print(
            f"{name:<28}{u['queries']:>8}{u['median_ms']:>11}{u['p95_ms']:>9}"
            f"{c['median_ms']:>11}{c['queries']:>4}"
        )
    if "report" not in results:
        return
    _print_report(size, results["report"], database)
    if "figures_csv" in results:
        f = results["figures_csv"]
        print(
            f"\n== /api/figures.csv, streamed: {f['rows']:,} rows, {f['megabytes']} MB in "
            f"{f['seconds']} s, {f['max_rss_mb']} MB max RSS (target: flat, <= 300 MB) =="
        )
    _print_import(results["import"])
    w = results["weight"]
    print(
        f"\n== pledge page first view: {w['bytes']:,} bytes compressed, "
        f"{w['other_hosts']} other hosts (target <= 600 KB, 0) =="
    )
    t = results["throughput"]
    print("\n== throughput (gunicorn, 2 workers, loopback) ==")
    print(json.dumps(t, ensure_ascii=False))


if __name__ == "__main__":
    if len(sys.argv) in (2, 3) and sys.argv[1] == "table":
        newest = max(RESULTS.glob("bench-*.json"), key=lambda path: path.stat().st_mtime)
        readme_table(sys.argv[2] if len(sys.argv) == 3 else str(newest))
    elif len(sys.argv) > 2 and sys.argv[1] == "child":
        kind, args = sys.argv[2], sys.argv[3:]
        function = globals()[f"child_{kind}"]
        value = function(*[int(a) if a.isdigit() else a for a in args])
        print(json.dumps(value, ensure_ascii=False, default=str))
    else:
        main()
