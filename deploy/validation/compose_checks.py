"""Cross-references of docker-compose.yml with the sources, the Dockerfile and itself."""
import re
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from .interpolation import environment_of
from .topics import parse_topic_list

HEALTHCHECK = "/usr/local/bin/ressus-healthcheck"
SHUTDOWN_CANCELLATION_SECONDS = 5  # ServiceHost.cancellationTimeout


def load(path):
    return yaml.safe_load(Path(path).read_text())


def seconds(text):
    """A Compose duration such as 30s, 1m30s or 500ms, in seconds."""
    units = {"h": 3600, "m": 60, "s": 1, "ms": 0.001, "us": 1e-6}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|us|h|m|s)", str(text))
    return sum(float(n) * units[u] for n, u in parts)


def container_ports(service):
    ports = {str(p) for p in service.get("expose") or []}
    for entry in service.get("ports") or []:
        target = entry.get("target") if isinstance(entry, dict) else str(entry).rsplit(":", 1)[-1]
        ports.add(str(target).split("/")[0])
    return ports


def check_compose(root, compose_path, facts, report):
    compose_path = Path(compose_path)
    data = load(compose_path)
    services = data.get("services") or {}
    base = Path(root)  # relative paths (init script, build context) resolve against the project root
    report.section(f"cross-references: {compose_path.name}")

    postgres = services.get("postgres") or {}
    pg_env = environment_of(postgres, {})
    kafka = services.get("kafka") or {}
    kafka_env = environment_of(kafka, {})
    report.check(str(kafka.get("image", "")).startswith("apache/kafka:"), "kafka uses the official apache/kafka image",
                 f"image {kafka.get('image')!r}")
    roles = set(kafka_env.get("KAFKA_PROCESS_ROLES", "").split(","))
    report.check(roles == {"broker", "controller"}, "kafka runs in KRaft mode (broker,controller, no ZooKeeper)",
                 f"KAFKA_PROCESS_ROLES={kafka_env.get('KAFKA_PROCESS_ROLES')!r}")
    report.check("healthcheck" in kafka and "healthcheck" in postgres, "kafka and postgres have health checks")
    report.check(str(postgres.get("image", "")).startswith("postgres:"), "postgres uses the official postgres image",
                 f"image {postgres.get('image')!r}")
    check_init_script(base, postgres, facts, report)
    check_topic_service(services.get("kafka-topics"), facts, report)

    for service in facts.services:
        check_service(base, services, service, facts, pg_env, kafka_env, report)

    cli = services.get("ressus")
    if cli is not None:
        env = environment_of(cli, {})
        unknown = sorted(set(env) - facts.variables)
        report.check(not unknown, "CLI service: every variable is one the programs read", f"unknown {unknown}")
        entry = cli.get("entrypoint") or []
        report.check(entry == ["/usr/local/bin/ressus"] and "ressus" in facts.programs,
                     "CLI service runs the ressus program", f"entrypoint {entry}")


def check_init_script(base, postgres, facts, report):
    mounts = [str(v) for v in postgres.get("volumes") or [] if "docker-entrypoint-initdb.d" in str(v)]
    if not report.check(len(mounts) == 1, "postgres mounts one init script", f"mounts {mounts}"):
        return
    script = (base / mounts[0].split(":")[0]).resolve()
    if not report.check(script.is_file(), "postgres init script exists", str(script)):
        return
    created = set(re.findall(r"CREATE SCHEMA IF NOT EXISTS (\w+);", script.read_text()))
    expected = {s.schema for s in facts.services}
    report.check(created == expected, "init script creates one schema per service (ServiceDescriptor)",
                 f"creates {sorted(created)}, services own {sorted(expected)}")


def check_topic_service(service, facts, report):
    if not report.check(service is not None, "a kafka-topics service creates the topics"):
        return
    env = environment_of(service, {})
    topics = parse_topic_list(env.get("TOPICS", ""))
    report.check(topics == facts.topics, "kafka-topics creates exactly Topics.swift's topics, their .DLT and the clock topic, "
                 "with the partition counts", topic_difference(topics, facts.topics))
    depends = service.get("depends_on") or {}
    report.check(isinstance(depends, dict) and depends.get("kafka", {}).get("condition") == "service_healthy",
                 "kafka-topics waits for a healthy kafka")


def topic_difference(actual, expected):
    missing = {k: v for k, v in expected.items() if actual.get(k) != v}
    extra = {k: v for k, v in actual.items() if k not in expected}
    return f"missing or different {missing}, unexpected {extra}"


def check_service(base, services, service, facts, pg_env, kafka_env, report):
    name = service.name
    spec = services.get(name)
    if not report.check(spec is not None, f"{name}: defined"):
        return
    entry = spec.get("entrypoint") or []
    report.check(entry == [f"/usr/local/bin/{service.program}"] and service.program in facts.programs,
                 f"{name}: runs its program {service.program} (a product of Package.swift)", f"entrypoint {entry}")
    build = spec.get("build") or {}
    dockerfile = base / build.get("context", ".") / build.get("dockerfile", "Dockerfile")
    report.check(spec.get("image") and dockerfile.is_file(), f"{name}: image built from an existing Dockerfile",
                 f"image {spec.get('image')!r}, dockerfile {dockerfile}")

    env = environment_of(spec, {})
    unknown = sorted(set(env) - facts.variables)
    report.check(not unknown, f"{name}: every variable is one ServiceConfiguration reads", f"unknown {unknown}")
    others = [o.prefix for o in facts.services if o != service]
    foreign = sorted(k for k in env if k.startswith(tuple(others)))
    report.check(not foreign, f"{name}: no other service's own variables", f"sets {foreign}")
    report.check(env.get("RESSUS_HTTP_HOST") == "0.0.0.0", f"{name}: listens on 0.0.0.0 (RESSUS_HTTP_HOST)",
                 f"RESSUS_HTTP_HOST={env.get('RESSUS_HTTP_HOST')!r}")
    port = env.get(service.port_variable, "")
    report.check(port.isdigit(), f"{name}: its port is set by {service.port_variable}", f"value {port!r}")
    report.check(container_ports(spec) == {port}, f"{name}: exposed/published container port = {service.port_variable}",
                 f"ports {sorted(container_ports(spec))}, variable {port!r}")

    test = (spec.get("healthcheck") or {}).get("test") or []
    report.check(test == ["CMD", HEALTHCHECK, port, "/health/ready"] and "/health/ready" in facts.routes,
                 f"{name}: health check asks /health/ready on its own port", f"test {test}")
    report.check(spec.get("restart") in ("always", "unless-stopped", "on-failure"), f"{name}: restart policy",
                 f"restart {spec.get('restart')!r}")
    depends = spec.get("depends_on") or {}
    wanted = {"postgres": "service_healthy", "kafka": "service_healthy", "kafka-topics": "service_completed_successfully"}
    actual = {k: (v or {}).get("condition") for k, v in depends.items()} if isinstance(depends, dict) else {}
    report.check(all(actual.get(k) == v for k, v in wanted.items()),
                 f"{name}: starts after healthy postgres and kafka and the created topics", f"depends_on {actual}")
    shutdown = int(env.get("RESSUS_SHUTDOWN_TIMEOUT_SECONDS") or 15)
    grace = seconds(spec.get("stop_grace_period", "10s"))
    report.check(grace > shutdown + SHUTDOWN_CANCELLATION_SECONDS,
                 f"{name}: stop_grace_period exceeds the service's shutdown bound", f"{grace}s vs {shutdown}+5s")

    url = urlsplit(env.get(service.prefix + "DATABASE_URL") or env.get("RESSUS_DATABASE_URL", ""))
    report.check(url.hostname in services and url.hostname == "postgres"
                 and url.path.lstrip("/") == pg_env.get("POSTGRES_DB") and url.username == pg_env.get("POSTGRES_USER")
                 and url.password == pg_env.get("POSTGRES_PASSWORD"),
                 f"{name}: database URL names the postgres service, its database, user and password",
                 f"host {url.hostname}, database {url.path}, user {url.username}")
    brokers = env.get("RESSUS_KAFKA_BROKERS", "")
    advertised = {a.split("://", 1)[-1] for a in kafka_env.get("KAFKA_ADVERTISED_LISTENERS", "").split(",")}
    report.check(brokers and set(brokers.split(",")) <= advertised,
                 f"{name}: RESSUS_KAFKA_BROKERS is a listener kafka advertises", f"{brokers!r} vs {sorted(advertised)}")
