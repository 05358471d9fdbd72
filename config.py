"""Settings from environment variables (floor 0: imports nothing of the project).

Every setting has a safe default so `python app.py` works on a fresh machine; production sets
them explicitly (see README, "Configuration").
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent
# Times are stored in UTC and shown to people in this zone (an IANA name).
DISPLAY_TIMEZONE = os.environ.get("HEALTHFIRST_TIMEZONE", "Asia/Kolkata")


def normalise_database_url(url: str) -> str:
    """SQLAlchemy 2.1 maps a bare postgresql:// URL to psycopg 3; we ship psycopg2."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url[len(prefix):]
    return url


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_rings(value: str) -> tuple:
    rings = tuple(float(part) for part in value.split(",") if part.strip())
    if not rings or any(r <= 0 for r in rings) or list(rings) != sorted(rings):
        raise ValueError("HEALTHFIRST_SOS_RINGS_KM must be increasing positive radii, e.g. 5,15,40")
    return rings


def _load_or_create_secret(instance_dir: Path, name: str = "secret_key") -> str:
    """A key generated once per installation and kept out of the repository."""
    path = instance_dir / name
    if path.exists():
        return path.read_text().strip()
    instance_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # O_EXCL: two processes starting at once must not end up with different keys.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


@dataclass(frozen=True)
class Config:
    database_url: str
    secret_key: str
    upload_dir: Path
    instance_dir: Path
    host: str = "127.0.0.1"
    port: int = 8050
    # Cookies get the Secure flag when this is set (always set it behind HTTPS).
    https: bool = False
    debug: bool = False
    # Flask-Limiter storage: memory:// counts per process; use redis:// with several workers.
    ratelimit_storage_uri: str = "memory://"
    login_rate_limit: str = "20 per minute"
    # Fill an empty database with the demo city, and let its accounts (public passwords) log in.
    # Off unless asked for: only the quick start (scripts/run.sh) turns it on.
    demo_data: bool = False
    max_upload_bytes: int = 20 * 1024 * 1024
    # Job process: heartbeat period, and how old a heartbeat may be before the job process is
    # reported as stopped.
    heartbeat_seconds: int = 10
    # SOS matching: rings of widening radius (km); an unanswered ring escalates after this long.
    sos_rings_km: tuple = (5.0, 15.0, 40.0)
    sos_escalate_seconds: int = 60
    # How often the job process looks for SOS to match (new ones are also matched at once).
    match_interval_seconds: float = 1.0
    # Map tiles for maps people can tap; empty for no tiles (offline control rooms, tests).
    map_tiles_url: str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    # Keyed integrity of medical reports: kept outside the database (env or instance/ file).
    report_hmac_key: bytes = b""
    report_recheck_hours: float = 24.0
    # The job process re-reads verified reports continuously (least recently checked first) at up
    # to this many MB/s, all job processes together: the whole store every store ÷ budget seconds.
    # It must read the store within the re-check period (a warning says when it cannot). 0: no
    # scrub, each report is read again only when its re-check period is over.
    report_scrub_mb_per_s: float = 8.0
    # Database connections per web/job process: pool + overflow, times processes, must stay under
    # PostgreSQL's max_connections.
    db_pool_size: int = 5
    db_wait_seconds: float = 3.0
    db_max_overflow: int = 5
    # Wall displays poll all day: their account (or kiosk link) is re-checked against the database
    # at most this often per web worker. Everyone else is checked on every request.
    display_session_cache_seconds: float = 10.0
    # The wall display's view is rebuilt at most this often per web worker, shared by all screens.
    display_cache_seconds: float = 5.0
    # A live view's poll (web/live.py) is answered from memory for this long after the full login
    # check allowed that person that view; all it can say meanwhile is "this is the version".
    live_grant_seconds: float = 5.0
    # Where maps open before a location is known ("lat,lon").
    map_center: tuple = (12.9716, 77.5946)
    # What the web and job processes log: warnings and errors unless asked for more (INFO, DEBUG).
    log_level: str = "WARNING"
    # One line per request: a file path, or "-" for the terminal; empty for none (serve.py reads
    # the same variable).
    access_log: str = ""
    # The address people and partner systems reach HealthFirst at: absolute URLs (CAP ids and
    # links, kiosk links) are built from it, never from the request's Host header. Empty: the
    # local address this process serves (http://host:port).
    public_base_url: str = ""
    # How many proxies (load balancers) in front of the app append to X-Forwarded-For/-Proto: the
    # client's address is taken that many hops back. 0: the connecting address is the client.
    trusted_proxy_hops: int = 0
    # Addresses (comma-separated, or "*") of the balancers whose X-Forwarded-Proto is believed
    # (auth/proxy.py): behind a TLS-terminating balancer, its address.
    forwarded_allow_ips: str = "127.0.0.1"
    # Pages that may frame the wall display (kiosk players), as CSP frame-ancestors sources, e.g.
    # "https://kiosk.example.org". Empty: no page may frame any HealthFirst page.
    display_frame_ancestors: str = ""
    # The national emergency number the citizen's pages offer to call (tel: link), above all when
    # an SOS cannot be sent because the phone is offline.
    emergency_number: str = "112"
    # Ambulance arrival estimates: great-circle distance ÷ this average urban speed (km/h).
    ambulance_kmh: float = 30.0
    # Ambulance tracks (unit_positions) older than this many days are pruned by housekeeping.
    position_retention_days: int = 90
    # PostgreSQL: a web worker writes the crew positions it received together, once the first of
    # them has waited this long (db/position_writer.py); longer gathers more per statement.
    position_gather_ms: float = 3.0
    # Languages whose catalog covers the staff screens (hospital, officer, admin, crew, wall): a
    # person who chose one of them gets those screens in it. Empty: staff screens stay English.
    staff_languages: tuple = ()
    testing: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        """Where HealthFirst is reached, without a trailing slash (see `public_base_url`)."""
        return (self.public_base_url or f"http://{self.host}:{self.port}").rstrip("/")

    @classmethod
    def from_env(cls, **overrides) -> Config:
        instance_dir = Path(os.environ.get("HEALTHFIRST_INSTANCE_DIR", PROJECT_ROOT / "instance"))
        instance_dir.mkdir(parents=True, exist_ok=True)
        database_url = os.environ.get(
            "HEALTHFIRST_DATABASE_URL", f"sqlite:///{instance_dir / 'healthfirst.sqlite3'}"
        )
        secret_key = os.environ.get("HEALTHFIRST_SECRET_KEY") or _load_or_create_secret(instance_dir, "secret_key")
        upload_dir = Path(os.environ.get("HEALTHFIRST_UPLOAD_DIR", instance_dir / "uploads"))
        config = cls(
            database_url=normalise_database_url(database_url),
            secret_key=secret_key,
            upload_dir=upload_dir,
            instance_dir=instance_dir,
            host=os.environ.get("HEALTHFIRST_HOST", "127.0.0.1"),
            port=int(os.environ.get("HEALTHFIRST_PORT", "8050")),
            https=_env_bool("HEALTHFIRST_HTTPS", False),
            debug=_env_bool("HEALTHFIRST_DEBUG", False),
            ratelimit_storage_uri=os.environ.get("HEALTHFIRST_RATELIMIT_STORAGE_URI", "memory://"),
            login_rate_limit=os.environ.get("HEALTHFIRST_LOGIN_RATE_LIMIT", "20 per minute"),
            demo_data=_env_bool("HEALTHFIRST_DEMO_DATA", False),
            max_upload_bytes=int(os.environ.get("HEALTHFIRST_MAX_UPLOAD_MB", "20")) * 1024 * 1024,
            heartbeat_seconds=int(os.environ.get("HEALTHFIRST_HEARTBEAT_SECONDS", "10")),
            sos_rings_km=_env_rings(os.environ.get("HEALTHFIRST_SOS_RINGS_KM", "5,15,40")),
            sos_escalate_seconds=int(os.environ.get("HEALTHFIRST_SOS_ESCALATE_SECONDS", "60")),
            match_interval_seconds=float(os.environ.get("HEALTHFIRST_MATCH_INTERVAL_SECONDS", "1")),
            db_pool_size=int(os.environ.get("HEALTHFIRST_DB_POOL_SIZE", "5")),
            db_wait_seconds=float(os.environ.get("HEALTHFIRST_DB_WAIT_SECONDS", "3")),
            db_max_overflow=int(os.environ.get("HEALTHFIRST_DB_MAX_OVERFLOW", "5")),
            display_cache_seconds=float(os.environ.get("HEALTHFIRST_DISPLAY_CACHE_SECONDS", "5")),
            display_session_cache_seconds=float(os.environ.get("HEALTHFIRST_DISPLAY_SESSION_CACHE_SECONDS", "10")),
            live_grant_seconds=float(os.environ.get("HEALTHFIRST_LIVE_GRANT_SECONDS", "5")),
            report_hmac_key=(os.environ.get("HEALTHFIRST_REPORT_HMAC_KEY")
                             or _load_or_create_secret(instance_dir, "report_hmac_key")).encode(),
            report_recheck_hours=float(os.environ.get("HEALTHFIRST_REPORT_RECHECK_HOURS", "24")),
            report_scrub_mb_per_s=float(os.environ.get("HEALTHFIRST_REPORT_SCRUB_MB_PER_S", "8")),
            map_center=tuple(float(x) for x in
                             os.environ.get("HEALTHFIRST_MAP_CENTER", "12.9716,77.5946").split(",")),
            map_tiles_url=os.environ.get(
                "HEALTHFIRST_MAP_TILES_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
            ),
            log_level=os.environ.get("HEALTHFIRST_LOG_LEVEL", "WARNING").upper(),
            access_log=os.environ.get("HEALTHFIRST_ACCESS_LOG", ""),
            public_base_url=os.environ.get("HEALTHFIRST_PUBLIC_URL", ""),
            trusted_proxy_hops=int(os.environ.get("HEALTHFIRST_TRUSTED_PROXY_HOPS", "0")),
            forwarded_allow_ips=os.environ.get("HEALTHFIRST_FORWARDED_ALLOW_IPS", "127.0.0.1"),
            display_frame_ancestors=os.environ.get("HEALTHFIRST_DISPLAY_FRAME_ANCESTORS", ""),
            emergency_number=os.environ.get("HEALTHFIRST_EMERGENCY_NUMBER", "112").strip() or "112",
            ambulance_kmh=float(os.environ.get("HEALTHFIRST_AMBULANCE_KMH", "30")),
            position_retention_days=int(os.environ.get("HEALTHFIRST_POSITION_RETENTION_DAYS", "90")),
            position_gather_ms=float(os.environ.get("HEALTHFIRST_POSITION_GATHER_MS", "3")),
            staff_languages=tuple(code.strip() for code in os.environ.get("HEALTHFIRST_STAFF_LANGUAGES", "").split(",")
                                  if code.strip()),
        )
        if not config.ambulance_kmh > 0:
            raise ValueError("HEALTHFIRST_AMBULANCE_KMH must be a positive speed in km/h")
        if not 0 <= config.position_gather_ms <= 1000:
            raise ValueError("HEALTHFIRST_POSITION_GATHER_MS must be 0 to 1000 milliseconds")
        if not config.report_scrub_mb_per_s >= 0:
            raise ValueError("HEALTHFIRST_REPORT_SCRUB_MB_PER_S must be 0 (no scrub) or a positive number of MB/s")
        if config.public_base_url and not config.public_base_url.startswith(("http://", "https://")):
            raise ValueError("HEALTHFIRST_PUBLIC_URL must start with http:// or https://")
        if overrides:
            if "database_url" in overrides:
                overrides["database_url"] = normalise_database_url(overrides["database_url"])
            config = replace(config, **overrides)
        return config
