"""`ceiling serve`: the web app and the API under uvicorn, and the app factory each worker process runs."""

from __future__ import annotations

import typer

from app.cli.common import fail
from app.config import get_settings


def serve(
    host: str = typer.Option(None, help="Address (default CEILING_HOST)."),
    port: int = typer.Option(None, help="Port (default CEILING_PORT)."),
    reload: bool = typer.Option(False, help="Reload on code changes (development)."),
    workers: int = typer.Option(None, min=1, max=64, help="Worker processes (default CEILING_WORKERS, 1)."),
    forwarded_allow_ips: str = typer.Option(
        None,
        help="The reverse proxy's addresses or networks, the only ones whose X-Forwarded-For is believed "
        "(default CEILING_FORWARDED_ALLOW_IPS: nobody's).",
    ),
) -> None:
    """Serve the web app and the API (with --workers N, N processes share the port)."""
    import os

    import uvicorn

    given = {"CEILING_HOST": host, "CEILING_PORT": port, "CEILING_FORWARDED_ALLOW_IPS": forwarded_allow_ips}
    for name, value in given.items():  # the worker processes read them too (the public URL follows host and port)
        if value is not None:
            os.environ[name] = str(value)
    get_settings.cache_clear()
    try:
        settings = get_settings()
    except ValueError as error:
        fail(str(error))
    count = workers or settings.workers
    if reload and count > 1:
        fail("--reload runs one process: leave out --workers")
    if count == 1 and not reload and settings.assessment_worker == "in_process" and settings.assessment_warm_start:
        from app.evidence.export import arrow

        arrow.use_system_allocator()
        arrow.prefetch(settings.database_url)  # this process's warm start takes it (app/assessment/live.py warm)
    uvicorn.run(
        "app.cli.serve:served_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        reload=reload,
        workers=count,
        log_level=settings.log_level.lower(),
        log_config=None,  # keep the handlers of app.ops.logs (JSON lines with request ids)
        access_log=False,  # app.ops.http logs each request once, with its id, route and time
        proxy_headers=False,  # the app believes X-Forwarded-For only from CEILING_FORWARDED_ALLOW_IPS (app.ops.edge)
    )


def configure_logs() -> None:
    from app.ops import logs

    settings = get_settings()
    logs.configure(settings.log_level, settings.log_format)


def served_app():
    """The app as `ceiling serve` runs it: in each worker process, logs configured first."""
    from app.main import create_app

    configure_logs()
    return create_app()
