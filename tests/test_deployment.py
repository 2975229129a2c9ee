"""docker-compose.yml cannot run here (no Docker engine), so its shape is checked against the settings."""

from __future__ import annotations

import re

import yaml

from app.config import PROJECT_ROOT, Settings

COMPOSE = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())
SETTING_NAMES = {f"CEILING_{name.upper()}" for name in Settings.model_fields}


def test_compose_has_database_app_and_scheduler():
    services = COMPOSE["services"]
    assert {"db", "app", "scheduler"} <= set(services)
    assert services["db"]["image"].startswith("postgres:16")
    assert "healthcheck" in services["db"]
    assert "pgdata" in COMPOSE["volumes"]
    assert any(v.startswith("pgdata:") for v in services["db"]["volumes"])
    assert services["app"]["build"] == "."
    assert (PROJECT_ROOT / "Dockerfile").exists()
    assert services["scheduler"]["command"] == ["ceiling", "scheduler"]


def test_every_ceiling_variable_in_compose_is_a_real_setting():
    for name in ("app", "scheduler"):
        variables = set(COMPOSE["services"][name]["environment"])
        ceiling_vars = {v for v in variables if v.startswith("CEILING_")}
        assert ceiling_vars <= SETTING_NAMES, ceiling_vars - SETTING_NAMES
        assert "CEILING_DATABASE_URL" in ceiling_vars


def test_app_migrates_before_it_serves_on_postgres():
    app = COMPOSE["services"]["app"]
    command = " ".join(app["command"])
    assert command.index("db upgrade") < command.index("serve")
    assert app["environment"]["CEILING_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert app["depends_on"]["db"]["condition"] == "service_healthy"


def test_no_secret_is_written_into_the_compose_file():
    for service in COMPOSE["services"].values():
        for name, value in (service.get("environment") or {}).items():
            if re.search(r"SECRET|PASSWORD", name):
                assert str(value).startswith("${"), f"{name} must come from the environment"
