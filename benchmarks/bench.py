"""`make bench`: the scale budget of docs/performance.md, measured in one run.

    python benchmarks/bench.py [--shapes decades,stress] [--requests 30]
        [--stress-requests 30] [--rebuild]
    python benchmarks/bench.py table [benchmarks/results/bench-….json]   (the docs' tables;
        the newest result without a file; `make bench-table [JSON=…]`)

Two shapes, each in its own database (SQLite by default: benchmarks/bench-<shape>.sqlite3;
with DATABASE_URL=postgres://…/NAME the database NAME_<shape>, created when missing),
built by ``generate_synthetic`` beside the seed's 6 pledges and reused while it holds the
shape (--rebuild builds anew):

- decades, a city over decades: 10 terms × 300 pledges, 8 publications each (two a year);
- stress: 50,000 pledges in one term, published once.

Timings move 1.5× between runs on a shared machine, so every verdict is a ratio: each
public page of the shape's newest synthetic term against the same page over the seed's 6
pledges, measured in the same process, request for request in turn (uncached, median of
--requests after 3 warm-ups). Queries must equal the seed page's (and stay ≤ 10). In the
stress database it also publishes 10,000 pledges with a draft each (in a transaction
rolled back afterwards, so the database stays as built), and each database reports its
snapshot bytes per publication and its size. Results go to benchmarks/results/*.json.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
BASE_URL = os.environ.get("DATABASE_URL", "")

# shape: (generate_synthetic arguments, the term measured, pledges, publications)
SHAPES = {
    "decades": (["--terms", "10", "--pledges", "300", "--publications", "8"], 909, 3000, 24000),
    "stress": (["--pledges", "50000"], 900, 50000, 50000),
}
QUERY_BUDGET = 10
# The median of a page at scale over the same page over the seed, at most:
DECADES_RATIO = 1.25  # every page
STRESS_RATIO = {"card": 2, "list": 2, "department": 2, "api": 2, "search": 5}  # others: none
PUBLISH_PLEDGES = 10_000
PUBLISH_TARGET_S = 60
SEED_CARD, SEED_DEPARTMENT = "12-8", "공공건축과"
COMMON_WORD = "센터"  # in one synthetic title in four, and in the seed's cards


def pages(term: int, code: str, department: str, as_of: str) -> dict[str, tuple[str, str, str]]:
    """{page: (kind, its URL at scale, the same page over the seed)}."""
    t, q = f"term={term}", f"q={COMMON_WORD}"
    # the seed's 6 pledges are all complete: its filtered pages select all of them
    return {
        "home": ("home", f"/?{t}", "/"),
        "list": ("list", f"/pledges/?{t}", "/pledges/"),
        "list, searched": (
            "search",
            f"/pledges/?{t}&q={COMMON_WORD}",
            f"/pledges/?q={COMMON_WORD}",
        ),
        "list, filtered": (
            "list",
            f"/pledges/?{t}&stage=in_progress&sort=rate",
            "/pledges/?stage=complete&sort=rate",
        ),
        "card": ("card", f"/pledges/{code}/?{t}", f"/pledges/{SEED_CARD}/"),
        "card, as_of": (
            "card",
            f"/pledges/{code}/?{t}&as_of={as_of}",
            f"/pledges/{SEED_CARD}/?as_of=2026-03-01",
        ),
        "department": (
            "department",
            f"/departments/{department}/?{t}",
            f"/departments/{SEED_DEPARTMENT}/",
        ),
        "about": ("about", f"/about/?{t}", "/about/"),
        "API list": ("api", f"/api/pledges/?{t}", "/api/pledges/"),
        "API filtered": (
            "api",
            f"/api/pledges/?{t}&stage=in_progress&sort=rate&{q}",
            f"/api/pledges/?stage=complete&sort=rate&{q}",
        ),
        "API detail": ("api", f"/api/pledges/{code}/?{t}", f"/api/pledges/{SEED_CARD}/"),
        "feed": ("feed", f"/feed/?{t}", "/feed/"),
    }


def database_url(shape: str) -> str:
    if BASE_URL.startswith("postgres"):
        base, _slash, name = BASE_URL.rpartition("/")
        return f"{base}/{name.split('?')[0]}_{shape}"
    return f"sqlite:///{ROOT / 'benchmarks' / f'bench-{shape}.sqlite3'}"


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


def _env(database: str) -> dict[str, str]:
    env = dict(os.environ, DATABASE_URL=database, DJANGO_DEBUG="0")
    env.setdefault("DJANGO_SECRET_KEY", "bench-only-not-a-secret")
    env.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    env.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
    env.setdefault("DJANGO_API_THROTTLE_RATE", "1000000/minute")  # one client, many requests
    env["DJANGO_SETTINGS_MODULE"] = "paju_pledges.settings"
    return env


def _run(database: str, *args: str) -> str:
    return subprocess.run(
        args, env=_env(database), check=True, cwd=ROOT, stdout=subprocess.PIPE, text=True
    ).stdout


def _child(database: str, kind: str, *args: str) -> dict:
    """One measurement in a fresh process (its own connection and memory); JSON back."""
    output = _run(database, sys.executable, __file__, "child", kind, *args)
    return json.loads(output.strip().splitlines()[-1])


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def build(shape: str, rebuild: bool) -> dict:
    """Migrate and fill the shape's database unless it already holds the shape."""
    url = database_url(shape)
    if url.startswith("postgres"):
        _postgres_database_create(url)
    manage = [sys.executable, str(ROOT / "manage.py")]
    _run(url, *manage, "migrate", "--noinput", "-v0")
    held = _child(url, "held")
    arguments, _term, pledges, publications = SHAPES[shape]
    if not rebuild and held == {"pledges": pledges, "publications": publications}:
        print(f"reusing the {shape} shape in {url.rpartition('@')[2]}")
        return {"reused": True}
    _run(url, *manage, "load_initial_data", "-v0")
    started = time.perf_counter()
    _run(url, *manage, "generate_synthetic", "--seed", "1", *arguments)
    seconds = round(time.perf_counter() - started, 1)
    print(f"{shape} built in {seconds} s")
    return {"reused": False, "seconds": seconds}


# Children (run in the shape's database) -----------------------------------------------------


def child_held() -> dict:
    _django()
    from publications.management.commands.generate_synthetic import synthetic_pledges
    from publications.models import Publication

    return {
        "pledges": synthetic_pledges().count(),
        "publications": Publication.objects.filter(term__number__gte=900).count(),
    }


def child_pages(shape: str, requests: int) -> dict:
    """Each page at scale and over the seed, in turn: queries, medians, the ratio and the
    page's slowest query (what to EXPLAIN when it is over budget)."""
    _django()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from publications.models import Publication

    term = SHAPES[shape][1]
    standing = Publication.objects.filter(term__number=term, superseded_at__isnull=True)
    shown = standing.filter(budget_type="budget").order_by("pk")[standing.count() // 100]
    first = Publication.objects.filter(term__number=term).order_by("published_at").first()
    later = Publication.objects.filter(term__number=term, published_at__gt=first.published_at)
    # as of a day between two publications (the first one's, when there is only one)
    middle = later.order_by("published_at").values_list("published_at", flat=True)
    moment = middle[len(middle) // 2] if middle else first.published_at
    as_of = moment.date().isoformat() if middle else "2026-03-01"
    client = Client()

    def get(url: str) -> tuple[float, list[dict]]:
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (url, response.status_code)
        return elapsed, queries.captured_queries

    found = {}
    load = os.getloadavg()
    for name, (kind, url, seed_url) in pages(
        term, shown.code, shown.department_name, as_of
    ).items():
        times: dict[str, list[float]] = {url: [], seed_url: []}
        for attempt in range(requests + 3):
            for each in (url, seed_url):
                elapsed, queries = get(each)
                if attempt >= 3:  # warm
                    times[each].append(elapsed)
                if each == url:
                    scale_queries = queries
                else:
                    seed_queries = queries
        median, seed_median = (statistics.median(times[u]) for u in (url, seed_url))
        slowest = max(scale_queries, key=lambda q: float(q["time"]))
        found[name] = {
            "kind": kind,
            "url": url,
            "seed_url": seed_url,
            "queries": len(scale_queries),
            "seed_queries": len(seed_queries),
            "median_ms": round(median, 2),
            "p95_ms": round(sorted(times[url])[int(len(times[url]) * 0.95) - 1], 2),
            "seed_median_ms": round(seed_median, 2),
            "ratio": round(median / seed_median, 2),
            "slowest_query": {"ms": float(slowest["time"]) * 1000, "sql": slowest["sql"][:2000]},
        }
    return {"pages": found, "load": {"before": load, "after": os.getloadavg()}}


def child_size() -> dict:
    """Snapshot bytes per publication (the card's JSON text) and the database's size."""
    _django()
    from django.conf import settings
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT avg(octet_length(card::text)), avg(pg_column_size(card)), "
                "avg(octet_length(search_text)), count(*) FROM publications_publication"
            )
            text, stored, search, count = cursor.fetchone()
            cursor.execute("SELECT pg_database_size(current_database())")
            database = cursor.fetchone()[0]
        else:
            cursor.execute(
                "SELECT avg(length(CAST(card AS BLOB))), avg(length(CAST(search_text AS BLOB))),"
                " count(*) FROM publications_publication"
            )
            text, search, count = cursor.fetchone()
            stored = text
            database = Path(settings.DATABASES["default"]["NAME"]).stat().st_size
    return {
        "publications": count,
        "card_json_bytes": round(text),
        "card_stored_bytes": round(stored),
        "search_text_bytes": round(search),
        "database_mb": round(database / 1e6, 1),
    }


def child_publish() -> dict:
    """Publishing 10,000 pledges in one call, as the reviewer's batch action does, each with
    a draft (its as-of day moved, with its history row, as a staff save writes it); rolled
    back afterwards so the database stays as built (the commit is not timed)."""
    _django()
    from datetime import timedelta

    from django.db import transaction
    from simple_history.utils import bulk_update_with_history

    from pledges.cache import public_version
    from pledges.models import Pledge
    from publications.services import publication_publish

    term = SHAPES["stress"][1]
    with transaction.atomic():
        pledges = list(Pledge.objects.filter(term__number=term).order_by("pk")[:PUBLISH_PLEDGES])
        for pledge in pledges:
            pledge.as_of += timedelta(days=1)
        bulk_update_with_history(pledges, Pledge, ["as_of"], batch_size=2000)
        before = public_version()
        started, cpu = time.perf_counter(), time.process_time()
        made = publication_publish(pledges=pledges, by=None, note="bench")
        result = {
            "seconds": round(time.perf_counter() - started, 1),
            "cpu_seconds": round(time.process_time() - cpu, 1),
            "pledges": len(pledges),
            "published": len(made),
            "version_moves": public_version() - before,
            "load": [round(n, 1) for n in os.getloadavg()],
        }
        transaction.set_rollback(True)
    return result


# Verdicts and tables ------------------------------------------------------------------------


def budget(shape: str, kind: str) -> float | None:
    """The ratio a page's median may reach against the seed's (None: no time budget)."""
    return DECADES_RATIO if shape == "decades" else STRESS_RATIO.get(kind)


def verdicts(results: dict) -> list[str]:
    """Every budget line broken: "FAIL" for a query count that differs from the seed
    page's (the count grows with the data: the run fails), "over" for the rest."""
    found = []
    for shape, row in results["shapes"].items():
        for name, page in row.get("pages", {}).get("pages", {}).items():
            if page["queries"] != page["seed_queries"]:
                found.append(
                    f"FAIL {shape}, {name}: {page['queries']} queries, the seed's page takes "
                    f"{page['seed_queries']}"
                )
            if page["queries"] > QUERY_BUDGET:
                found.append(f"over {shape}, {name}: {page['queries']} queries (> 10)")
            limit = budget(shape, page["kind"])
            if limit is not None and page["ratio"] > limit:
                found.append(
                    f"over {shape}, {name}: {page['ratio']}× the seed's page "
                    f"({page['median_ms']} ms against {page['seed_median_ms']} ms; ≤ {limit}×)"
                )
        publish = row.get("publish")
        if publish and publish["seconds"] > PUBLISH_TARGET_S:
            found.append(
                f"over {shape}, publishing {publish['pledges']:,} pledges: "
                f"{publish['seconds']} s (> {PUBLISH_TARGET_S} s)"
            )
        if publish and publish["version_moves"] != 1:
            found.append(
                f"FAIL {shape}, publishing moved the public version {publish['version_moves']}×"
            )
    return found


def _load(load: dict) -> str:
    def three(values) -> str:
        return " ".join(f"{value:.2f}" for value in values) if values else "?"

    return f"before {three(load.get('before'))}, after {three(load.get('after'))}"


def table(path: str) -> None:
    """The docs' tables, from one run's JSON."""
    results = json.loads(Path(path).read_text())
    print(f"{results['database']}, {results['machine']}, {results['when']} ({Path(path).name})")
    print(f"\nLoad average (1, 5, 15 min) of the machine: {_load(results['load'])}")
    for shape, row in results["shapes"].items():
        if "pages" not in row:
            continue
        requests = row["pages"].get("requests", "?")
        print(
            f"\n**{shape}** ({requests} requests per page, uncached; load "
            f"{_load(row['pages']['load'])})\n"
        )
        print("| page | queries (seed) | median ms | seed ms | ratio | budget | |")
        print("|---|---|---|---|---|---|---|")
        for name, page in row["pages"]["pages"].items():
            limit = budget(shape, page["kind"])
            ok = page["queries"] == page["seed_queries"] <= QUERY_BUDGET and (
                limit is None or page["ratio"] <= limit
            )
            print(
                f"| {name} | {page['queries']} ({page['seed_queries']}) | {page['median_ms']} "
                f"| {page['seed_median_ms']} | {page['ratio']}× | "
                f"{f'≤ {limit}×' if limit else '–'} | {'met' if ok else '**over**'} |"
            )
        size = row.get("size")
        if size:
            print(
                f"\n{size['publications']:,} publications; a snapshot's card: "
                f"{size['card_json_bytes']:,} bytes of JSON ({size['card_stored_bytes']:,} stored),"
                f" search text {size['search_text_bytes']:,} bytes; database "
                f"{size['database_mb']:,} MB"
            )
        publish = row.get("publish")
        if publish:
            print(
                f"\nPublishing {publish['pledges']:,} pledges with a draft each: "
                f"{publish['seconds']} s ({publish['cpu_seconds']} s CPU), "
                f"{publish['published']:,} publications, public version moved "
                f"{publish['version_moves']}× (≤ {PUBLISH_TARGET_S} s, once)"
            )
    if results.get("verdicts"):
        print("\n" + "\n".join(f"- {verdict}" for verdict in results["verdicts"]))


def _machine() -> str:
    import platform

    return f"{platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shapes", default="decades,stress")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--stress-requests", type=int, default=30)
    parser.add_argument("--rebuild", action="store_true")
    options = parser.parse_args()
    results = {
        "when": datetime.now().isoformat(timespec="seconds"),
        "machine": _machine(),
        "database": "PostgreSQL" if BASE_URL.startswith("postgres") else "SQLite",
        "load": {"before": os.getloadavg()},
        "shapes": {},
    }
    for shape in options.shapes.split(","):
        url = database_url(shape)
        requests = options.stress_requests if shape == "stress" else options.requests
        row = results["shapes"][shape] = {"build": build(shape, options.rebuild)}
        row["pages"] = _child(url, "pages", shape, str(requests)) | {"requests": requests}
        row["size"] = _child(url, "size")
        if shape == "stress":
            row["publish"] = _child(url, "publish")
        print(json.dumps(row, ensure_ascii=False, indent=1))
    results["load"]["after"] = os.getloadavg()
    results["verdicts"] = verdicts(results)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"bench-{datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2))
    table(str(out))
    print(f"\nwritten to {out.relative_to(ROOT)}")
    if any(verdict.startswith("FAIL") for verdict in results["verdicts"]):
        sys.exit(1)


if __name__ == "__main__":
    if len(sys.argv) in (2, 3) and sys.argv[1] == "table":
        newest = max(RESULTS.glob("bench-*.json"), key=lambda path: path.stat().st_mtime)
        table(sys.argv[2] if len(sys.argv) == 3 else str(newest))
    elif len(sys.argv) > 2 and sys.argv[1] == "child":
        kind, args = sys.argv[2], sys.argv[3:]
        value = globals()[f"child_{kind}"](*[int(a) if a.isdigit() else a for a in args])
        print(json.dumps(value, ensure_ascii=False, default=str))
    else:
        main()
