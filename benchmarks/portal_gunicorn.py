"""Anonymous portal pages under gunicorn in production settings: app CPU per request,
requests per second and queries per page, uncached and cached (issue 20).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
    REDIS_URL=redis://127.0.0.1:6379/6 \\
        .venv/bin/python benchmarks/portal_gunicorn.py [--seconds 10] [--rounds 1]

What it does, so anyone can re-measure the README's figures:

1. Creates a scratch PostgreSQL database (``anju_bench_portal``, or ``--database``) on
   DATABASE_URL's server, migrates it and loads the demo, all with
   ``anju.settings.production`` (Redis cache under a key prefix of its own; nothing else
   in REDIS_URL's database is touched, and its keys are deleted at the end). It is
   dropped at the end. Give it a Redis database no test run uses (0 or 1: the test
   settings flush databases 2-15, and a flush mid-run makes every page cold again).
2. Counts the queries of each page in-process (Django's test client, production
   settings, the page cache off), cold (right after a publish) and warm.
3. Starts ``gunicorn -c deploy/gunicorn.conf.py anju.wsgi`` with 2 sync workers (worker
   recycling off, so the workers' CPU can be read), once with the anonymous page cache
   off (``PORTAL_CACHE_SECONDS=0``: every request renders the page) and once with it on,
   and drives each page with wrk (``apt-get install wrk``; 2 threads, 32 connections),
   or, without wrk, a small Python load generator (slower: it shares the 2 cores).
4. Reads the workers' user+system CPU from /proc/<pid>/stat before and after each run
   and prints CPU milliseconds per request, requests per second, the ratio against
   bakerydemo's CPU per request for the comparable page (issue 20's table, same machine
   kind), and the load average. The load average matters: on a shared machine req/s
   falls with it, CPU per request much less.

It asserts nothing (the query counts are asserted by tests/platform/test_portal.py).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

#: bakerydemo (Wagtail 8.0.1, Django 5.2.19) on this machine kind, gunicorn 2 sync
#: workers, from issue 20: CPU ms per request and queries.
BAKERY = {
    "home": (50.4, 43),
    "notice list": (37.0, 40),
    "notice": (27.3, 22),
    "search": (55.1, 41),
    "/api/v2/pages/": (22.0, 29),
    "static file": (0.44, 0),
}
#: Pages without a bakerydemo counterpart are compared with its blog post (a page).
COMPARABLE = "notice"


def log(*args):
    print(*args, file=sys.stderr, flush=True)


# --- the scratch project ---------------------------------------------------------------


def project_env(args, **extra) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="anju.settings.production",
        DATABASE_URL=args.database_url,
        SECRET_KEY=args.secret_key,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="False",
        CACHE_KEY_PREFIX=args.key_prefix,
        STATIC_ROOT=args.static_root,
        MEDIA_ROOT=args.media_root,
        CONN_MAX_AGE="600",
    )
    env.pop("ANJU_TEST_PLUGINS", None)
    env.update(extra)
    return env


def manage(args, *command, **extra):
    subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), *command],
        cwd=ROOT,
        env=project_env(args, **extra),
        check=True,
        stdout=subprocess.DEVNULL,
    )


def psql(server_url: str, sql: str):
    subprocess.run(
        ["psql", server_url, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def forget_keys(prefix: str) -> None:
    """Delete what the run left in Redis (its keys all start with its own prefix)."""
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    for key in client.scan_iter(f"{prefix}:*", count=1000):
        client.delete(key)


# --- pages -----------------------------------------------------------------------------


def discover(base: str) -> list[tuple[str, str]]:
    """The pages to drive, found the way a visitor finds them: from the home page."""
    home = urllib.request.urlopen(base + "/").read().decode()

    def links(pattern):
        return re.findall(pattern, home, re.S)

    pages = [("home", "/")]
    index = links(r'<p class="more-link"><a class="button" href="([^"]+)">')
    notice = links(r'<a class="notice-item-title" href="([^"]+)"')
    if index:
        pages.append(("notice list", index[0]))
    if notice:
        pages.append(("notice", notice[0]))
    nav = re.search(r'<nav class="portal-nav".*?</nav>', home, re.S)
    plugin_pages = re.findall(r'href="([^"]+)"', nav.group(0)) if nav else []
    cards = re.search(r'id="service-directory".*?</section>', home, re.S)
    forms = re.findall(r'<li class="card"><a href="([^"]+)"', cards.group(0)) if cards else []
    for url in ["/jobs/", "/repair/"] + [f for f in forms if f not in ("/jobs/", "/repair/")][:1]:
        pages.append((f"service form {url}" if url != "/jobs/" else "job board /jobs/", url))
    for url in plugin_pages:
        pages.append((f"plugin {url}", url))
    if index:
        pages.append(("search", index[0] + "?q=" + urllib.parse.quote("社区")))
    pages.append(("/api/v2/pages/", "/api/v2/pages/"))
    css = re.search(r'<link rel="stylesheet" href="([^"]+)"', home)
    if css:
        pages.append(("static file", css.group(1)))
    seen, unique = set(), []
    for name, url in pages:
        if url not in seen:
            seen.add(url)
            unique.append((name, url))
    return unique


QUERY_COUNTER = r"""
import json, sys
from django.conf import settings
from django.db import connection
from django.test import Client
from anju.portal.cache import invalidate

settings.PORTAL_CACHE_SECONDS = 0
client = Client(HTTP_HOST="127.0.0.1")
connection.force_debug_cursor = True


def count(url):
    connection.queries_log.clear()
    status = client.get(url).status_code
    return status, len(connection.queries_log)


out = {}
for url in json.loads(sys.argv[-1]):
    invalidate()  # as after a publish: nothing remembered
    status, cold = count(url)
    _status, warm = count(url)
    out[url] = [status, cold, warm]
print("QUERIES" + json.dumps(out))
"""


def count_queries(args, urls: list[str]) -> dict:
    result = subprocess.run(
        [
            PYTHON,
            str(ROOT / "manage.py"),
            "shell",
            "-c",
            f"import sys; sys.argv.append({json.dumps(json.dumps(urls))}); " + QUERY_COUNTER,
        ],
        cwd=ROOT,
        env=project_env(args),
        check=True,
        capture_output=True,
        text=True,
    )
    line = next(x for x in result.stdout.splitlines() if x.startswith("QUERIES"))
    return json.loads(line.removeprefix("QUERIES"))


# --- gunicorn ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    def __init__(self, args, cache_seconds: int):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = project_env(
            args,
            PORTAL_CACHE_SECONDS=str(cache_seconds),
            GUNICORN_WORKERS="2",
            GUNICORN_BIND=f"127.0.0.1:{self.port}",
            GUNICORN_MAX_REQUESTS="0",  # recycling would lose the workers' CPU count
        )
        gunicorn = str(Path(PYTHON).with_name("gunicorn"))
        self.process = subprocess.Popen(
            [
                gunicorn,
                "-c",
                "deploy/gunicorn.conf.py",
                "--access-logfile",
                "/dev/null",
                "anju.wsgi",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(self.base + "/static/theme/favicon.svg", timeout=2)
                if len(self.workers()) == 2:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.stop()
                raise SystemExit("gunicorn did not start (run it by hand to see why)")
            time.sleep(0.3)

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def cpu_seconds(self) -> float:
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in self.workers():
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / ticks

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()


# --- load --------------------------------------------------------------------------------


def run_wrk(base: str, url: str, seconds: float, connections: int) -> tuple[int, int]:
    out = subprocess.run(
        # A long timeout: on a loaded machine a queued request is slow, not failed.
        ["wrk", "-t2", f"-c{connections}", f"-d{int(seconds)}s", "--timeout", "30s", base + url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    done = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    failed = (int(bad.group(1)) if bad else 0) + (
        sum(int(g) for g in errors.groups()) if errors else 0
    )
    return done, failed


def run_python(base: str, url: str, seconds: float, connections: int) -> tuple[int, int]:
    """wrk's job done by threads with keep-alive connections (when wrk is missing)."""
    host, port = base.removeprefix("http://").split(":")
    deadline = time.monotonic() + seconds
    counts = []

    def worker():
        done = failed = 0
        conn = HTTPConnection(host, int(port), timeout=30)
        while time.monotonic() < deadline:
            try:
                conn.request("GET", url)
                response = conn.getresponse()
                response.read()
                done += 1
                failed += response.status >= 400
            except OSError:
                failed += 1
                conn.close()
                conn = HTTPConnection(host, int(port), timeout=30)
        counts.append((done, failed))

    threads = [threading.Thread(target=worker) for _ in range(min(connections, 8))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(c[0] for c in counts), sum(c[1] for c in counts)


def drive(server: Gunicorn, url: str, seconds: float, connections: int) -> dict:
    load = run_wrk if shutil.which("wrk") else run_python
    cpu = server.cpu_seconds()
    wall = time.monotonic()
    done, failed = load(server.base, url, seconds, connections)
    wall = time.monotonic() - wall
    cpu = server.cpu_seconds() - cpu
    return {
        "requests": done,
        "failed": failed,
        "rps": done / wall,
        "cpu_ms": cpu * 1000 / max(done, 1),
    }


# --- main ----------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10, help="per page and mode")
    parser.add_argument("--rounds", type=int, default=1, help="interleaved rounds (best kept)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--database", default="anju_bench_portal")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument(
        "--reuse", action="store_true", help="use the scratch database a --keep run left"
    )
    parser.add_argument("--only", default="", help="drive only pages whose name has this")
    args = parser.parse_args()

    server_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    if not server_url.startswith("postgres"):
        raise SystemExit("DATABASE_URL must point at a PostgreSQL server")
    if not os.environ.get("REDIS_URL"):
        raise SystemExit("REDIS_URL must point at a Redis database (production settings)")
    parsed = urllib.parse.urlsplit(server_url)
    admin_url = parsed._replace(path="/postgres").geturl()
    args.database_url = parsed._replace(path="/" + args.database).geturl()
    args.secret_key = secrets.token_urlsafe(50)
    args.key_prefix = f"anju-bench-{os.getpid()}"
    scratch = Path(tempfile.mkdtemp(prefix="anju-bench-"))
    args.static_root = str(scratch / "static")
    args.media_root = str(scratch / "media")

    if not shutil.which("wrk"):
        log("wrk not found (apt-get install -y wrk): using the slower Python load generator")
    log(f"scratch database {args.database}: migrate, load the demo, collect static files")
    if not args.reuse:
        psql(admin_url, f'DROP DATABASE IF EXISTS "{args.database}"')
        psql(admin_url, f'CREATE DATABASE "{args.database}"')
    servers = []
    try:
        if not args.reuse:
            manage(args, "migrate", "--no-input")
            manage(args, "load_demo")
        manage(args, "collectstatic", "--no-input")

        uncached = Gunicorn(args, cache_seconds=0)
        servers.append(uncached)
        pages = discover(uncached.base)
        if args.only:
            pages = [p for p in pages if args.only in p[0]]
        queries = count_queries(args, [url for _, url in pages if not url.startswith("/static/")])
        cached = Gunicorn(args, cache_seconds=300)
        servers.append(cached)

        # Each worker imports, compiles templates and fills its caches on its first
        # requests: warm every page on both servers before measuring.
        warm = run_wrk if shutil.which("wrk") else run_python
        for server in servers:
            for _name, url in pages:
                warm(server.base, url, 2, 4)

        results: dict[tuple[str, str], dict] = {}
        for _round in range(args.rounds):
            for name, url in pages:
                for mode, server in (("uncached", uncached), ("cached", cached)):
                    if mode == "cached" and (
                        url.startswith("/static/") or "?q=" in url or url.startswith("/api/")
                    ):
                        continue  # never cached: nothing to measure twice
                    log(f"round {_round + 1}: {mode:<8} {url}")
                    result = drive(server, url, args.seconds, args.connections)
                    best = results.get((name, mode))
                    if best is None or result["cpu_ms"] < best["cpu_ms"]:
                        results[(name, mode)] = result
        load = Path("/proc/loadavg").read_text().split()[:3]
    finally:
        for server in servers:
            server.stop()
        forget_keys(args.key_prefix)
        if not args.keep and not args.reuse:
            psql(admin_url, f'DROP DATABASE IF EXISTS "{args.database}"')
        shutil.rmtree(scratch, ignore_errors=True)

    print(
        f"\nAnju, production settings, gunicorn 2 sync workers, "
        f"{'wrk' if shutil.which('wrk') else 'Python load'} {args.connections} connections, "
        f"{args.seconds:g} s x {args.rounds} round(s); load average {' '.join(load)}; "
        f"{os.cpu_count()} cores"
    )
    print(
        "CPU ms = gunicorn workers' user+system CPU per request (/proc); queries cold "
        "(after a publish) / warm; ratio = CPU against bakerydemo's comparable page\n"
    )
    head = (
        f"{'page':<34}{'queries':>9}{'cpu ms':>9}{'req/s':>8}{'ratio':>7}"
        f"{'cached ms':>11}{'req/s':>8}{'failed':>8}"
    )
    print(head)
    print("-" * len(head))
    for name, url in pages:
        status, cold, warm = queries.get(url, [200, 0, 0])
        row = results.get((name, "uncached"))
        if row is None:
            continue
        peer = BAKERY.get(name, BAKERY[COMPARABLE] if not url.startswith("/static/") else None)
        ratio = f"{row['cpu_ms'] / peer[0]:.2f}" if peer else "-"
        hit = results.get((name, "cached"))
        failed = row["failed"] + (hit["failed"] if hit else 0)
        label = name if status == 200 else f"{name} ({status})"
        print(
            f"{label[:33]:<34}{f'{cold}/{warm}':>9}{row['cpu_ms']:>9.2f}{row['rps']:>8.0f}"
            f"{ratio:>7}"
            + (f"{hit['cpu_ms']:>11.2f}{hit['rps']:>8.0f}" if hit else f"{'-':>11}{'-':>8}")
            + f"{failed:>8}"
        )
    static = next((results[(n, "uncached")] for n, u in pages if u.startswith("/static/")), None)
    if static and static["rps"]:
        hits = [results[(n, "cached")]["rps"] for n, _ in pages if (n, "cached") in results]
        if hits:
            print(
                f"\ncached pages: {min(hits) / static['rps']:.0%}–{max(hits) / static['rps']:.0%}"
                " of the static-file ceiling's req/s"
            )
    print(
        "bakerydemo (issue 20): " + ", ".join(f"{k} {v[0]} ms/{v[1]} q" for k, v in BAKERY.items())
    )


if __name__ == "__main__":
    main()
