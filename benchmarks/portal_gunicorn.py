"""Anonymous portal pages under gunicorn in production settings: app CPU per request,
requests per second and queries per page, uncached and cached, side by side with
Wagtail's bakerydemo measured in the same run (issue 20).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
    REDIS_URL=redis://127.0.0.1:6379/6 \\
        .venv/bin/python benchmarks/portal_gunicorn.py [--seconds 10] [--rounds 1] \\
        [--peer /path/to/bakerydemo]

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
4. With ``--peer``, does the same for bakerydemo in the same run: a checkout of
   github.com/wagtail/bakerydemo (never cloned here: give its path) and a virtualenv
   made by ``benchmarks/peer/setup_bakerydemo.sh`` (same Python, Wagtail, Django and
   gunicorn as Anju; ``--peer-python``, default ``<checkout>-venv/bin/python``). A
   scratch database (``anju_bench_peer``, or ``--peer-database``) gets its migrations
   and ``load_initial_data``; it runs with its own production settings
   (``benchmarks/peer/bakerydemo_bench_settings.py``, outside the checkout: DEBUG off,
   WhiteNoise, persistent connections, django-redis in REDIS_URL's database under the
   run's key prefix), under the same gunicorn configuration (2 sync workers). Its
   queries are counted in-process the same way (cold: its caches emptied). Its home
   page, blog index, first blog post, search (``?q=bread``), /api/v2/pages/ and main
   stylesheet are driven interleaved with Anju's pages: in every round each Anju page
   runs next to its bakerydemo counterpart.
5. Reads the workers' user+system CPU from /proc/<pid>/stat before and after each run
   (the gunicorn workers only, not PostgreSQL's, for both) and prints CPU milliseconds
   per request, requests per second, the ratio against bakerydemo's CPU per request for
   the comparable page — measured in this run with ``--peer``, else issue 20's figures
   (same machine kind) — and the load average. The load average matters: on a shared
   machine req/s falls with it, CPU per request much less.

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
#: workers, from issue 20: CPU ms per request and queries. Used without ``--peer``.
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
#: What bakerydemo's pages are called next to Anju's they are compared with.
PEER_LABELS = {
    "home": "home",
    "notice list": "blog index",
    "notice": "blog post",
    "search": "search",
    "/api/v2/pages/": "/api/v2/pages/",
    "static file": "static file",
}
PEER_SEARCH = "bread"


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
    """``gunicorn -c deploy/gunicorn.conf.py`` with 2 sync workers, for Anju or the peer
    (the same configuration for both: only the application differs)."""

    def __init__(
        self,
        env: dict,
        python: str = PYTHON,
        cwd: Path = ROOT,
        app: str = "anju.wsgi",
        ready: str = "/static/theme/favicon.svg",
    ):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = dict(
            env,
            GUNICORN_WORKERS="2",
            GUNICORN_BIND=f"127.0.0.1:{self.port}",
            GUNICORN_MAX_REQUESTS="0",  # recycling would lose the workers' CPU count
        )
        gunicorn = str(Path(python).with_name("gunicorn"))
        self.process = subprocess.Popen(
            [
                gunicorn,
                "-c",
                str(ROOT / "deploy" / "gunicorn.conf.py"),
                "--access-logfile",
                "/dev/null",
                app,
            ],
            cwd=cwd,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(self.base + ready, timeout=10)
                if len(self.workers()) == 2:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.stop()
                raise SystemExit(f"gunicorn {app} did not start (run it by hand to see why)")
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


def settle(server: Gunicorn, timeout: float = 15):
    """Wait until the workers are idle: the requests wrk left queued when it stopped are
    still served, and must not run during (and slow) the next page's measurement."""
    deadline = time.monotonic() + timeout
    before = server.cpu_seconds()
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = server.cpu_seconds()
        if now == before:
            return
        before = now


def drive(server: Gunicorn, url: str, seconds: float, connections: int) -> dict:
    load = run_wrk if shutil.which("wrk") else run_python
    cpu = server.cpu_seconds()
    wall = time.monotonic()
    done, failed = load(server.base, url, seconds, connections)
    wall = time.monotonic() - wall
    cpu = server.cpu_seconds() - cpu
    settle(server)
    return {
        "requests": done,
        "failed": failed,
        "rps": done / wall,
        "cpu_ms": cpu * 1000 / max(done, 1),
    }


# --- the peer: bakerydemo --------------------------------------------------------------


PEER_QUERY_COUNTER = r"""
import json, sys
from django.core.cache import caches
from django.db import connection
from django.test import Client

client = Client(HTTP_HOST="127.0.0.1")
connection.force_debug_cursor = True


def count(url):
    connection.queries_log.clear()
    status = client.get(url).status_code
    return status, len(connection.queries_log)


out = {}
for url in json.loads(sys.argv[-1]):
    for alias in ("default", "renditions"):
        caches[alias].delete_pattern("*")  # its own key prefix only: nothing remembered
    status, cold = count(url)
    _status, warm = count(url)
    out[url] = [status, cold, warm]
print("QUERIES" + json.dumps(out))
"""


class Peer:
    """Wagtail's bakerydemo from a checkout and a virtualenv made by
    benchmarks/peer/setup_bakerydemo.sh, in production settings, on a scratch database."""

    def __init__(self, args, server_url: str, scratch: Path):
        self.checkout = Path(args.peer).resolve()
        if not (self.checkout / "bakerydemo" / "settings" / "production.py").exists():
            raise SystemExit(f"--peer {self.checkout}: not a bakerydemo checkout")
        venv = Path(str(self.checkout).rstrip("/") + "-venv")
        self.python = args.peer_python or str(venv / "bin" / "python")
        if not Path(self.python).with_name("gunicorn").exists():
            raise SystemExit(
                f"no gunicorn next to {self.python}: make the peer's virtualenv with "
                f"benchmarks/peer/setup_bakerydemo.sh {self.checkout}"
            )
        parsed = urllib.parse.urlsplit(server_url)
        self.database = args.peer_database
        # postgres:// (not postgresql://): bakerydemo adds django.contrib.postgres for it.
        self.database_url = parsed._replace(scheme="postgres", path="/" + self.database).geturl()
        self.key_prefix = args.key_prefix + "-peer"
        self.static_root = scratch / "peer-static"
        self.media_root = scratch / "peer-media"
        self.env = dict(os.environ)
        for name in ("VIRTUAL_ENV", "ANJU_TEST_PLUGINS", "PYTHONPATH"):
            self.env.pop(name, None)
        self.env.update(
            DJANGO_SETTINGS_MODULE="bakerydemo_bench_settings",
            PYTHONPATH=os.pathsep.join([str(self.checkout), str(ROOT / "benchmarks" / "peer")]),
            DATABASE_URL=self.database_url,
            DJANGO_SECRET_KEY=args.secret_key,
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
            SECURE_SSL_REDIRECT="False",
            PRIMARY_HOST="127.0.0.1",
            PEER_STATIC_ROOT=str(self.static_root),
            PEER_MEDIA_ROOT=str(self.media_root),
            PEER_REDIS_URL=os.environ["REDIS_URL"],
            PEER_CACHE_PREFIX=self.key_prefix,
        )

    def manage(self, *command, capture=False):
        return subprocess.run(
            [self.python, "manage.py", *command],
            cwd=self.checkout,
            env=self.env,
            check=True,
            capture_output=capture,
            stdout=None if capture else subprocess.DEVNULL,
            text=True,
        )

    def prepare(self, admin_url: str, reuse: bool):
        log(f"peer database {self.database}: migrate, load_initial_data, collect static files")
        if reuse:
            # The database names the demo's images; put the files back where they are read.
            shutil.copytree(
                self.checkout / "bakerydemo" / "base" / "fixtures" / "media",
                self.media_root,
                dirs_exist_ok=True,
            )
        else:
            psql(admin_url, f'DROP DATABASE IF EXISTS "{self.database}"')
            psql(admin_url, f'CREATE DATABASE "{self.database}"')
            self.manage("migrate", "--no-input")
            self.manage("load_initial_data")
        self.manage("collectstatic", "--no-input")

    def start(self) -> Gunicorn:
        return Gunicorn(
            self.env, python=self.python, cwd=self.checkout, app="bakerydemo.wsgi", ready="/"
        )

    def versions(self) -> str:
        out = self.manage(
            "shell",
            "-c",
            "import django, wagtail; print('VERSIONS', django.get_version(), wagtail.__version__)",
            capture=True,
        ).stdout
        line = next(x for x in out.splitlines() if x.startswith("VERSIONS"))
        django, wagtail = line.split()[1:]
        return f"Wagtail {wagtail}, Django {django}"

    def count_queries(self, urls: list[str]) -> dict:
        out = self.manage(
            "shell",
            "-c",
            f"import sys; sys.argv.append({json.dumps(json.dumps(urls))}); " + PEER_QUERY_COUNTER,
            capture=True,
        ).stdout
        line = next(x for x in out.splitlines() if x.startswith("QUERIES"))
        return json.loads(line.removeprefix("QUERIES"))

    def forget(self):
        forget_keys(self.key_prefix)
        forget_keys(self.key_prefix + "-renditions")


def discover_peer(base: str) -> dict[str, str]:
    """bakerydemo's pages comparable to Anju's, by Anju's page names."""

    def get(url):
        return urllib.request.urlopen(base + url, timeout=60).read().decode()

    home = get("/")
    pages = {"home": "/"}
    if 'href="/blog/"' in home:
        pages["notice list"] = "/blog/"
        posts = re.findall(r'href="(/blog/[^"/?#]+/)"', get("/blog/"))
        if posts:
            pages["notice"] = posts[0]
    pages["search"] = "/search/?q=" + PEER_SEARCH
    pages["/api/v2/pages/"] = "/api/v2/pages/"
    css = re.findall(r'<link rel="stylesheet" href="(/static/[^"]+)"', home)
    if css:
        pages["static file"] = next((c for c in css if "/main" in c), css[-1])
    return pages


# --- main ----------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10, help="per page and mode")
    parser.add_argument("--rounds", type=int, default=1, help="interleaved rounds (best kept)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--database", default="anju_bench_portal")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database(s)")
    parser.add_argument(
        "--reuse", action="store_true", help="use the scratch database(s) a --keep run left"
    )
    parser.add_argument("--only", default="", help="drive only pages whose name has this")
    parser.add_argument(
        "--peer",
        default="",
        help="a bakerydemo checkout: measure it in the same run (else issue 20's figures)",
    )
    parser.add_argument(
        "--peer-python",
        default="",
        help="the peer virtualenv's python (default: <checkout>-venv/bin/python)",
    )
    parser.add_argument("--peer-database", default="anju_bench_peer")
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
    peer = Peer(args, server_url, scratch) if args.peer else None

    if not shutil.which("wrk"):
        log("wrk not found (apt-get install -y wrk): using the slower Python load generator")
    log(f"scratch database {args.database}: migrate, load the demo, collect static files")
    if not args.reuse:
        psql(admin_url, f'DROP DATABASE IF EXISTS "{args.database}"')
        psql(admin_url, f'CREATE DATABASE "{args.database}"')
    servers = []
    peer_server = None
    peer_pages: dict[str, str] = {}
    peer_queries: dict = {}
    peer_versions = ""
    try:
        if not args.reuse:
            manage(args, "migrate", "--no-input")
            manage(args, "load_demo")
        manage(args, "collectstatic", "--no-input")
        if peer:
            peer.prepare(admin_url, args.reuse)
            peer_versions = peer.versions()

        uncached = Gunicorn(project_env(args, PORTAL_CACHE_SECONDS="0"))
        servers.append(uncached)
        pages = discover(uncached.base)
        if args.only:
            pages = [p for p in pages if args.only in p[0]]
        queries = count_queries(args, [url for _, url in pages if not url.startswith("/static/")])
        cached = Gunicorn(project_env(args, PORTAL_CACHE_SECONDS="300"))
        servers.append(cached)
        if peer:
            peer_server = peer.start()
            servers.append(peer_server)
            peer_pages = discover_peer(peer_server.base)
            names = {name for name, _url in pages}
            if any(not url.startswith("/static/") for _, url in pages):
                names.add(COMPARABLE)  # what pages without a counterpart are compared with
            peer_pages = {k: v for k, v in peer_pages.items() if k in names}
            peer_queries = peer.count_queries(
                [url for url in peer_pages.values() if not url.startswith("/static/")]
            )

        # Each worker imports, compiles templates and fills its caches on its first
        # requests: warm every page on every server before measuring.
        warm = run_wrk if shutil.which("wrk") else run_python
        for server in (uncached, cached):
            for _name, url in pages:
                warm(server.base, url, 2, 4)
        for url in peer_pages.values():
            warm(peer_server.base, url, 2, 4)

        # One round: each Anju page, uncached then cached, then its bakerydemo
        # counterpart (pages without one: the blog post, after the first of them).
        jobs = []
        for name, url in pages:
            for mode, server in (("uncached", uncached), ("cached", cached)):
                if mode == "cached" and (
                    url.startswith("/static/") or "?q=" in url or url.startswith("/api/")
                ):
                    continue  # never cached: nothing to measure twice
                jobs.append((name, mode, server, url))
            counterpart = name if name in peer_pages else COMPARABLE
            if counterpart in peer_pages and (counterpart, "peer") not in [j[:2] for j in jobs]:
                jobs.append((counterpart, "peer", peer_server, peer_pages[counterpart]))
        load_start = Path("/proc/loadavg").read_text().split()[:3]
        results: dict[tuple[str, str], dict] = {}
        for _round in range(args.rounds):
            for name, mode, server, url in jobs:
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
        if peer:
            peer.forget()
        if not args.keep and not args.reuse:
            psql(admin_url, f'DROP DATABASE IF EXISTS "{args.database}"')
            if peer:
                psql(admin_url, f'DROP DATABASE IF EXISTS "{peer.database}"')
        shutil.rmtree(scratch, ignore_errors=True)

    def peer_row(name: str, url: str) -> dict | None:
        """bakerydemo's CPU ms, warm queries and req/s for the page Anju's is compared with."""
        if url.startswith("/static/"):
            name = "static file"
        elif name not in PEER_LABELS:
            name = COMPARABLE
        if peer:
            row = results.get((name, "peer"))
            if row is None:
                return None
            return {"cpu_ms": row["cpu_ms"], "rps": row["rps"], "name": name}
        if name in BAKERY:
            return {"cpu_ms": BAKERY[name][0], "rps": None, "name": name}
        return None

    print(
        f"\nAnju, production settings, gunicorn 2 sync workers, "
        f"{'wrk' if shutil.which('wrk') else 'Python load'} {args.connections} connections, "
        f"{args.seconds:g} s x {args.rounds} interleaved round(s); load average "
        f"{' '.join(load_start)} at the start, {' '.join(load)} at the end; "
        f"{os.cpu_count()} cores"
    )
    source = (
        f"bakerydemo measured in this run ({peer_versions}, its production settings, "
        "the same gunicorn)"
        if peer
        else "bakerydemo's figures from issue 20 (no --peer given)"
    )
    print(
        "CPU ms = gunicorn workers' user+system CPU per request (/proc); queries cold "
        "(after a publish) / warm; ratio = CPU against the comparable bakerydemo page, "
        f"{source}; * = no counterpart, compared with its blog post\n"
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
        other = peer_row(name, url)
        ratio = f"{row['cpu_ms'] / other['cpu_ms']:.2f}" if other else "-"
        if other and other["name"] != name and not url.startswith("/static/"):
            ratio += "*"
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
    if not peer:
        print(
            "bakerydemo (issue 20): "
            + ", ".join(f"{k} {v[0]} ms/{v[1]} q" for k, v in BAKERY.items())
        )
        return

    print(f"\nbakerydemo, same run ({peer_versions}); Anju's uncached page against it\n")
    head = (
        f"{'page':<34}{'queries':>9}{'cpu ms':>9}{'req/s':>8}{'failed':>8}"
        f"{'Anju cpu':>10}{'Anju req/s':>12}"
    )
    print(head)
    print("-" * len(head))
    anju_urls = dict(pages)
    for name, url in peer_pages.items():
        row = results.get((name, "peer"))
        if row is None:
            continue
        status, cold, warm = peer_queries.get(url, [200, 0, 0])
        label = f"{PEER_LABELS[name]} {url}"
        if status != 200:
            label = f"{label} ({status})"
        mine = results.get((name, "uncached")) if name in anju_urls else None
        cpu = f"{mine['cpu_ms'] / row['cpu_ms']:.2f}x" if mine else "-"
        rps = f"{mine['rps'] / row['rps']:.2f}x" if mine and row["rps"] else "-"
        print(
            f"{label[:33]:<34}{f'{cold}/{warm}':>9}{row['cpu_ms']:>9.2f}{row['rps']:>8.0f}"
            f"{row['failed']:>8}{cpu:>10}{rps:>12}"
        )
    print(
        "bakerydemo's queries: cold (its caches emptied) / warm, counted in-process; "
        "Anju cpu and req/s = Anju's uncached figure over bakerydemo's"
    )


if __name__ == "__main__":
    main()
