"""Negative checks: deliberately broken copies of the deployment files must be rejected, each
with the failure it was broken for. Proves the validators can fail."""
import shutil
import tempfile
from pathlib import Path

from .compose_checks import check_compose
from .k8s_checks import check_kubernetes, load_documents
from .report import Report
from .run_check import check_running
from .schema_checks import check_compose_schema, check_kubernetes_schema

# (what is broken, file, text replaced, replacement, expected failure)
CASES = [
    ("compose: a misspelt service key", "docker-compose.yml",
     '    healthcheck:\n      test: ["CMD", "/usr/local/bin/ressus-healthcheck", "8081"',
     '    healthchek:\n      test: ["CMD", "/usr/local/bin/ressus-healthcheck", "8081"',
     "matches the Compose Specification schema"),
    ("compose: a variable no program reads", "docker-compose.yml",
     "  RESSUS_LOG_FORMAT: json", "  RESSUS_LOG_FORMATO: json",
     "every variable is one ServiceConfiguration reads"),
    ("compose: health check on another port", "docker-compose.yml",
     '"/usr/local/bin/ressus-healthcheck", "8082"', '"/usr/local/bin/ressus-healthcheck", "8089"',
     "deadlines: health check asks /health/ready on its own port"),
    ("compose: a partition count different from Topics.swift", "docker-compose.yml",
     "ressus.debts:6", "ressus.debts:3", "kafka-topics creates exactly"),
    ("compose: the init script misses a schema", "deploy/docker/postgres-init.sql",
     "CREATE SCHEMA IF NOT EXISTS fns_transfer;", "", "init script creates one schema per service"),
    ("k8s: replicas not an integer", "deploy/k8s/intake.yaml",
     "replicas: 2", "replicas: two", "intake.yaml matches the Kubernetes schemas"),
    ("k8s: readiness probe on a path the services do not serve", "deploy/k8s/deadlines.yaml",
     "path: /health/ready", "path: /health/pronto", "deadlines: readinessProbe"),
    ("k8s: ConfigMap port different from the containerPort", "deploy/k8s/configmap.yaml",
     'RESSUS_INTAKE_HTTP_PORT: "8081"', 'RESSUS_INTAKE_HTTP_PORT: "9091"', "intake: containerPort 'http'"),
    ("k8s: the Job forgets the clock topic", "deploy/k8s/create-topics-job.yaml",
     "                ressus.clock:1\n", "", "the Job creates exactly"),
]


def broken_copy(root, work, file, old, new):
    """A copy of the compose file, its init script and deploy/k8s under `work`, with one change."""
    for relative in ("docker-compose.yml", "deploy/docker/postgres-init.sql", "deploy/docker/Dockerfile",
                     "deploy/docker/healthcheck.sh"):
        (work / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(root / relative, work / relative)
    shutil.copytree(root / "deploy/k8s", work / "deploy/k8s", dirs_exist_ok=True)
    target = work / file
    text = target.read_text()
    if old not in text:
        raise AssertionError(f"self-test case no longer applies: {old!r} not in {file}")
    target.write_text(text.replace(old, new, 1))


def static_checks(work, facts):
    """Schema and cross-reference checks of the files under `work`, quietly."""
    report = Report(quiet=True)
    check_compose_schema(work / "docker-compose.yml", report)
    report.guarded("docker-compose.yml", check_compose, work, work / "docker-compose.yml", facts)
    _, documents = load_documents(work / "deploy/k8s")
    check_kubernetes_schema(work / "deploy/k8s", sorted({name for name, _ in documents}), report)
    report.guarded("deploy/k8s", check_kubernetes, work / "deploy/k8s", facts)
    return report


def run_self_test(root, facts, report, bin_dir=None):
    root = Path(root)
    report.section("negative checks: broken copies must be rejected")
    for what, file, old, new, expected in CASES:
        with tempfile.TemporaryDirectory() as directory:
            work = Path(directory)
            broken_copy(root, work, file, old, new)
            result = static_checks(work, facts)
            hits = [f for f in result.failures if expected in f]
            report.check(hits, f"rejected: {what}",
                         f"expected a failure containing {expected!r}; failures: {result.failures}")
    if bin_dir is not None:
        result = Report(quiet=True)
        check_running(root, root / "docker-compose.yml", facts, bin_dir, result, only={"intake"},
                      overrides={"intake": {"RESSUS_LOG_FORMAT": "xml"}})
        report.check(any("intake: ready" in f for f in result.failures),
                     "rejected: a service started with an invalid value (RESSUS_LOG_FORMAT=xml) is not ready",
                     f"failures: {result.failures}")
