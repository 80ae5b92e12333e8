"""Runs the five service programs with the environment docker-compose.yml sets for them, against
the local PostgreSQL and broker, and checks each becomes ready, answers its health check, exports
metrics, logs JSON and stops cleanly.

Substitutions (the only ones): database URLs point at a temporary database on the local cluster
(created for the run, with deploy/docker/postgres-init.sql applied, dropped afterwards), the
brokers at the local broker, RESSUS_HTTP_HOST at 127.0.0.1 (local servers stay on loopback), and a
port already taken on this machine is replaced by a free one."""
import json
import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from .compose_checks import load, seconds
from .interpolation import environment_of

READY_TIMEOUT = 90


def port_free(port):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", int(port)))
            return True
        except OSError:
            return False


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return str(s.getsockname()[1])


def http_get(port, path):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=3) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")
    except OSError:
        return None, ""


def psql(url, *arguments):
    return subprocess.run(["psql", url, "-X", "-q", "-v", "ON_ERROR_STOP=1", *arguments],
                          capture_output=True, text=True, timeout=60)


class TemporaryDatabase:
    """A database on the local cluster named ressus_deploycheck_<random>, dropped on exit."""

    def __init__(self, admin_url, init_script):
        self.admin_url = admin_url
        self.name = "ressus_deploycheck_" + uuid.uuid4().hex[:8]
        parts = urlsplit(admin_url)
        self.url = urlunsplit(parts._replace(path="/" + self.name))
        self.init_script = init_script

    def __enter__(self):
        created = psql(self.admin_url, "-c", f'CREATE DATABASE "{self.name}"')
        if created.returncode != 0:
            raise RuntimeError(f"cannot create {self.name}: {created.stderr}")
        self.init = psql(self.url, "-f", str(self.init_script))
        return self

    def __exit__(self, *_):
        psql(self.admin_url, "-c", f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def local_environment(compose_env, service, database_url, brokers, report_substitution):
    env = dict(compose_env)
    for key in env:
        if key.endswith("DATABASE_URL"):
            env[key] = database_url
    env["RESSUS_KAFKA_BROKERS"] = brokers
    if "RESSUS_HTTP_HOST" in env:
        env["RESSUS_HTTP_HOST"] = "127.0.0.1"
    port = env.get(service.port_variable, "")
    if port and not port_free(port):
        replacement = free_port()
        report_substitution(f"  note  {service.name}: port {port} is taken here, using {replacement}")
        env[service.port_variable] = replacement
    return env


def check_running(root, compose_path, facts, bin_dir, report, only=None, overrides=None):
    """Starts the services (all, or the names in `only`), checks them, stops them."""
    root = Path(root)
    compose = load(compose_path)
    admin_url = os.environ.get("RESSUS_DATABASE_URL", "")
    brokers = os.environ.get("RESSUS_KAFKA_BROKERS", "")
    report.section("running the services with the compose environment (local database and broker)")
    if not report.check(admin_url and brokers, "local database and broker addresses are set",
                        "RESSUS_DATABASE_URL / RESSUS_KAFKA_BROKERS missing: run deploy/local/infra.sh start"):
        return
    services = [s for s in facts.services if only is None or s.name in only]
    init_script = root / "deploy/docker/postgres-init.sql"
    with TemporaryDatabase(admin_url, init_script) as database, tempfile.TemporaryDirectory() as logs:
        if not report.check(database.init.returncode == 0, "postgres-init.sql applies to a new database", database.init.stderr):
            return
        schemas = psql(database.url, "-A", "-t", "-c", "SELECT nspname FROM pg_namespace ORDER BY 1").stdout.split()
        report.check({s.schema for s in services} <= set(schemas), "the init script created the services' schemas",
                     f"schemas {schemas}")
        running = []
        try:
            for service in services:
                spec = compose["services"][service.name]
                env = local_environment(environment_of(spec, {}), service, database.url, brokers, print)
                env.update((overrides or {}).get(service.name, {}))
                log = Path(logs) / f"{service.name}.log"
                process = subprocess.Popen([str(Path(bin_dir) / service.program)], env={"PATH": os.environ["PATH"], **env},
                                           stdout=log.open("w"), stderr=subprocess.STDOUT)
                running.append((service, spec, env, process, log))
            for service, spec, env, process, log in running:
                check_one(root, service, spec, env, process, log, report)
        finally:
            for service, spec, env, process, log in running:
                stop(service, spec, process, log, report)


def wait_ready(process, port):
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        if http_get(port, "/health/ready")[0] == 200:
            return True
        time.sleep(0.25)
    return False


def check_one(root, service, spec, env, process, log, report):
    name = service.name
    port = env.get(service.port_variable, "")
    ready = wait_ready(process, port)
    if not report.check(ready, f"{name}: ready on /health/ready (port {port})",
                        f"exit status {process.poll()}; log:\n{tail(log)}"):
        return
    # The compose test is [CMD, ressus-healthcheck, PORT, PATH]: run the script itself, on the port
    # the service got here (the compose port unless it was taken).
    _, _, compose_port, path = spec["healthcheck"]["test"]
    healthcheck = [str(root / "deploy/docker/healthcheck.sh"), port if compose_port == spec_port(spec, service) else compose_port, path]
    passed = subprocess.run(["bash", *healthcheck], capture_output=True, text=True, timeout=15)
    report.check(passed.returncode == 0, f"{name}: the compose health check command passes", passed.stderr)
    failing = subprocess.run(["bash", healthcheck[0], port, "/nao-existe"], capture_output=True, text=True, timeout=15)
    report.check(failing.returncode != 0, f"{name}: the health check command fails on a non-200 answer", failing.stderr)
    live, _ = http_get(port, "/health/live")
    report.check(live == 200, f"{name}: /health/live answers 200", f"status {live}")
    status, metrics = http_get(port, "/metrics")
    report.check(status == 200 and "ressus_http_requests_total" in metrics, f"{name}: /metrics exports Prometheus metrics",
                 f"status {status}")
    lines = [line for line in log.read_text().splitlines() if line.strip()]
    expected_json = env.get("RESSUS_LOG_FORMAT") == "json"
    report.check(not expected_json or all(is_json(line) for line in lines),
                 f"{name}: logs one JSON object per line (RESSUS_LOG_FORMAT=json)", tail(log))


def stop(service, spec, process, log, report):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=seconds(spec.get("stop_grace_period", "10s")))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    report.check(process.returncode == 0 and "service stopped" in log.read_text(),
                 f"{service.name}: stops cleanly on SIGTERM within stop_grace_period",
                 f"exit status {process.returncode}; log:\n{tail(log)}")


def spec_port(spec, service):
    return str(environment_of(spec, {}).get(service.port_variable, ""))


def is_json(line):
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


def tail(log, lines=15):
    try:
        return "\n".join(log.read_text().splitlines()[-lines:])
    except OSError:
        return ""
