"""What the figures run against: throwaway PostgreSQL databases, temporary folders, the web server and
job processes started as subprocesses, and bulk data (hospitals, beds, users).

Everything here is stopped/dropped by `Bench.close()`, which `python -m bench` calls in a
`finally`, so a failing figure leaves no database or process behind.
"""

from __future__ import annotations

import csv
import io
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get(
    "HEALTHFIRST_BENCH_PG_URL",
    os.environ.get("HEALTHFIRST_TEST_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"),
)
HOSPITAL_CSV = Path(os.environ.get(
    "HEALTHFIRST_HOSPITAL_CSV", PROJECT_ROOT.parent / "shared" / "data" / "india_hospital_directory.csv"))
SECRET_KEY = "bench-secret-" + uuid.uuid4().hex
HMAC_KEY = "bench-hmac-" + uuid.uuid4().hex
BENCH_PASSWORD = "Bench-password-2026"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def utcnow() -> datetime:
    return datetime.now(UTC)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Proc:
    """A subprocess in its own process group, with its output in a log file."""

    def __init__(self, name: str, cmd: list[str], env: dict, log_path: Path):
        self.name, self.cmd, self.log_path = name, cmd, log_path
        self._log = open(log_path, "wb")
        self.popen = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT,
                                      start_new_session=True)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, timeout: float = 15.0) -> None:
        if self.popen.poll() is None:
            try:
                os.killpg(self.popen.pid, signal.SIGTERM)  # our own group (start_new_session)
            except ProcessLookupError:
                pass
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.popen.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.popen.wait(5)
        self._log.close()


@dataclass
class Database:
    name: str
    url: str

    def engine(self, **kwargs):
        from db.engine import make_engine

        return make_engine(self.url, **kwargs)


@dataclass
class Stack:
    """One deployment: a database, N web instances, M job processes, shared folders."""

    db: Database
    env: dict
    urls: list[str]
    web: list[Proc]
    jobs: list[Proc]
    upload_dir: Path
    config: object


@dataclass
class Bench:
    quick: bool = False
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="healthfirst-bench-")))
    databases: list[Database] = field(default_factory=list)
    procs: list[Proc] = field(default_factory=list)

    # ---- databases ---------------------------------------------------------------------------

    def admin_engine(self):
        return create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})

    def new_database(self, label: str, *, migrate: bool = True) -> Database:
        name = f"healthfirst_bench_{label}_{uuid.uuid4().hex[:8]}"
        admin = self.admin_engine()
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        database = Database(name, PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}")
        self.databases.append(database)
        if migrate:
            from db.engine import upgrade_database

            upgrade_database(database.url)
        return database

    def drop_database(self, database: Database) -> None:
        admin = self.admin_engine()
        try:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{database.name}" WITH (FORCE)'))
        finally:
            admin.dispose()
        if database in self.databases:
            self.databases.remove(database)

    # ---- processes ---------------------------------------------------------------------------

    def folder(self, name: str) -> Path:
        path = self.root / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def env_for(self, database: Database, instance_dir: Path, upload_dir: Path) -> dict:
        # Other HEALTHFIRST_* settings pass through (e.g. HEALTHFIRST_DISPLAY_CACHE_SECONDS to try a
        # tuning); the ones below are what the benchmark needs and always win.
        env = dict(os.environ)
        env.update({
            "HEALTHFIRST_DATABASE_URL": database.url,
            "HEALTHFIRST_INSTANCE_DIR": str(instance_dir),
            "HEALTHFIRST_UPLOAD_DIR": str(upload_dir),
            "HEALTHFIRST_SECRET_KEY": SECRET_KEY,
            "HEALTHFIRST_REPORT_HMAC_KEY": HMAC_KEY,
            "HEALTHFIRST_DEBUG": "0",
            "HEALTHFIRST_DEMO_DATA": "1",
            "HEALTHFIRST_LOGIN_RATE_LIMIT": "100000 per minute",
            "HEALTHFIRST_RATELIMIT_STORAGE_URI": "memory://",
            "HEALTHFIRST_MATCH_INTERVAL_SECONDS": "1",
            "HEALTHFIRST_MAP_TILES_URL": "",
            "PYTHONUNBUFFERED": "1",
        })
        return env

    def config_for(self, env: dict):
        from config import Config

        return Config(
            database_url=env["HEALTHFIRST_DATABASE_URL"], secret_key=SECRET_KEY,
            upload_dir=Path(env["HEALTHFIRST_UPLOAD_DIR"]), instance_dir=Path(env["HEALTHFIRST_INSTANCE_DIR"]),
            demo_data=True, report_hmac_key=HMAC_KEY.encode(), map_tiles_url="",
        )

    def start(self, name: str, cmd: list[str], env: dict) -> Proc:
        proc = Proc(name, cmd, env, self.folder("logs") / f"{name}.log")
        self.procs.append(proc)
        return proc

    def stop(self, proc: Proc) -> None:
        proc.stop()
        if proc in self.procs:
            self.procs.remove(proc)

    def start_web(self, name: str, env: dict, *, workers: int | None = None,
                  threads: int | None = None) -> tuple[Proc, str]:
        """The web app as production serves it (`python -m serve`), on a free local port."""
        port = free_port()
        env = dict(env, HEALTHFIRST_HOST="127.0.0.1", HEALTHFIRST_PORT=str(port), HEALTHFIRST_LOG_LEVEL="WARNING")
        if workers is not None:
            env["HEALTHFIRST_WEB_WORKERS"] = str(workers)
        if threads is not None:
            env["HEALTHFIRST_WEB_THREADS"] = str(threads)
        cmd = [sys.executable, "-m", "serve"]
        proc = self.start(name, cmd, env)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if not proc.alive():
                raise RuntimeError(f"{name} exited at start:\n{proc.tail()}")
            try:
                with urllib.request.urlopen(url + "/login", timeout=5) as response:
                    if response.status == 200:
                        # Each worker builds the app itself, and the kernel spreads connections
                        # over the workers: 20 new connections answered means every worker serves.
                        for _ in range(20):
                            urllib.request.urlopen(url + "/healthz", timeout=60).close()
                        return proc, url
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"{name} did not answer within 90 s:\n{proc.tail()}")

    def stack(self, label: str, *, instances: int = 1, job_processes: int = 1, before_start=None,
              workers: int | None = None, threads: int | None = None) -> Stack:
        """A prepared database (migrations + demo city), then web instances and job processes."""
        from db.setup import prepare_database

        database = self.new_database(label)
        upload_dir = self.folder(f"{label}/uploads")
        env = self.env_for(database, self.folder(f"{label}/instance"), upload_dir)
        config = self.config_for(env)
        if before_start is not None:
            before_start(database)  # e.g. the 10k hospitals, before the demo city
        prepare_database(config.database_url, demo_data=config.demo_data)
        web, urls = [], []
        for index in range(instances):
            proc, url = self.start_web(f"{label}-web{index + 1}", env, workers=workers, threads=threads)
            web.append(proc)
            urls.append(url)
        jobs = [self.start(f"{label}-jobs{index + 1}", [sys.executable, "-m", "jobs"], env)
                for index in range(job_processes)]
        time.sleep(1.0)
        for proc in jobs:
            if not proc.alive():
                raise RuntimeError(f"{proc.name} exited at start:\n{proc.tail()}")
        return Stack(database, env, urls, web, jobs, upload_dir, config)

    def stop_stack(self, stack: Stack, *, drop: bool = True) -> None:
        for proc in stack.web + stack.jobs:
            self.stop(proc)
        if drop:
            self.drop_database(stack.db)

    def close(self) -> None:
        for proc in list(self.procs):
            try:
                proc.stop()
            except Exception as error:  # noqa: BLE001 - keep cleaning up
                log(f"could not stop {proc.name}: {error}")
        self.procs.clear()
        for database in list(self.databases):
            try:
                self.drop_database(database)
            except Exception as error:  # noqa: BLE001
                log(f"could not drop {database.name}: {error}")
        shutil.rmtree(self.root, ignore_errors=True)


# ---- bulk data ------------------------------------------------------------------------------


def require_csv() -> Path:
    if not HOSPITAL_CSV.exists():
        raise RuntimeError(f"the hospital directory is not at {HOSPITAL_CSV}: put ../shared/data/ beside the "
                           f"project or set HEALTHFIRST_HOSPITAL_CSV")
    return HOSPITAL_CSV


def import_real_hospitals(database: Database) -> int:
    """The real directory through the product's importer (db.hospitals.import_csv)."""
    from db.capacity import ensure_bed_types
    from db.engine import make_session_factory, session_scope
    from db.hospitals import import_csv

    engine = database.engine()
    try:
        with session_scope(make_session_factory(engine)) as session:
            ensure_bed_types(session)
            with require_csv().open(newline="", encoding="utf-8-sig") as source:
                report = import_csv(session, source, now=utcnow())
        return report.imported
    finally:
        engine.dispose()


def _copy(connection, table: str, columns: list[str], rows) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(["\\N" if value is None else value for value in row])
    buffer.seek(0)
    raw = connection.connection.dbapi_connection
    with raw.cursor() as cursor:
        cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buffer)


def replicate_hospitals(database: Database, target: int, *, seed: int = 8, jitter_deg: float = 0.02) -> int:
    """Copies of the real hospitals with a small jitter (~2 km) until `target` rows exist."""
    rng = random.Random(seed)
    engine = database.engine()
    try:
        with engine.begin() as connection:
            real = connection.execute(text("SELECT name, address, latitude, longitude FROM hospitals "
                                           "WHERE import_key IS NOT NULL")).all()
            have = connection.execute(text("SELECT count(*) FROM hospitals")).scalar_one()
            now = utcnow().isoformat()
            rows = []
            for index in range(max(0, target - have)):
                name, address, lat, lon = real[index % len(real)]
                rows.append((f"{name} (copy {index})"[:200], address, "",
                             min(90, max(-90, lat + rng.uniform(-jitter_deg, jitter_deg))),
                             min(180, max(-180, lon + rng.uniform(-jitter_deg, jitter_deg))),
                             "active", "normal", "", now))
            _copy(connection, "hospitals",
                  ["name", "address", "city", "latitude", "longitude", "status", "ems_status", "ems_reason",
                   "created_at"], rows)
            return len(rows)
    finally:
        engine.dispose()


def give_beds(database: Database, *, seed: int = 9) -> int:
    """Beds of every type for every hospital that has none (about a fifth with none free)."""
    rng = random.Random(seed)
    engine = database.engine()
    try:
        with engine.begin() as connection:
            types = connection.execute(text("SELECT id, code FROM bed_types")).all()
            hospitals = connection.execute(text(
                "SELECT id FROM hospitals h WHERE NOT EXISTS "
                "(SELECT 1 FROM hospital_beds b WHERE b.hospital_id = h.id)")).scalars().all()
            now = utcnow().isoformat()
            rows = []
            for hospital_id in hospitals:
                for type_id, _code in types:
                    total = rng.randint(5, 80)
                    available = 0 if rng.random() < 0.2 else rng.randint(1, total)
                    rows.append((hospital_id, type_id, total, available, 1, now))
            _copy(connection, "hospital_beds",
                  ["hospital_id", "bed_type_id", "total", "available", "version", "updated_at"], rows)
            connection.execute(text("ANALYZE"))
            return len(rows)
    finally:
        engine.dispose()


_HASH: str | None = None


def password_hash() -> str:
    global _HASH
    if _HASH is None:
        from db.users import hash_password

        _HASH = hash_password(BENCH_PASSWORD)
    return _HASH


def add_users(session, role: str, count: int, *, prefix: str, hospital_ids=None) -> list:
    """Active accounts (password BENCH_PASSWORD), flushed."""
    from db.models import User

    made = []
    for index in range(count):
        user = User(email=f"{prefix}{index}@bench.healthfirst.in", password_hash=password_hash(),
                    full_name=f"Bench {role} {index}", phone=None, role=role, status="active",
                    hospital_id=hospital_ids[index] if hospital_ids else None, session_token=uuid.uuid4().hex,
                    failed_login_count=0, created_at=utcnow())
        session.add(user)
        made.append(user)
    session.flush()
    return made


def worker_pids(proc: Proc) -> list[int]:
    import psutil

    try:
        return [child.pid for child in psutil.Process(proc.pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        return []
