"""Validates the deployment files offline; exit status 0 only when every check passes.

    python -m deploy.validation [--bin-dir DIR] [--static-only] [--compose FILE] [--k8s DIR]

Steps: (a) docker-compose.yml against the Compose Specification JSON Schema; (b) the Kubernetes
manifests against the Kubernetes JSON schemas (strict); (c) cross-references with the Swift
sources (variables, programs, ports, probe paths, topics and partitions, schemas) and between the
files; (d) the five service programs run with the compose environment against the local
database and broker; (e) negative checks: broken copies are rejected.
"""
import argparse
import sys
from pathlib import Path

from .compose_checks import check_compose
from .docker_checks import check_docker
from .facts import SourceFacts
from .k8s_checks import check_kubernetes, load_documents
from .report import Report
from .run_check import check_running
from .schema_checks import check_compose_schema, check_kubernetes_schema
from .selftest import run_self_test


def main():
    root = Path(__file__).resolve().parents[2]
    parser = argparse.ArgumentParser(prog="deploy/validate.sh", description=__doc__.split("\n")[0])
    parser.add_argument("--compose", type=Path, default=root / "docker-compose.yml")
    parser.add_argument("--k8s", type=Path, default=root / "deploy/k8s")
    parser.add_argument("--bin-dir", type=Path, default=root / ".build/debug",
                        help="where the built service programs are (default .build/debug)")
    parser.add_argument("--static-only", action="store_true", help="skip running the services and the negative checks")
    arguments = parser.parse_args()

    facts = SourceFacts.read(root)
    report = Report()
    check_compose_schema(arguments.compose, report)
    _, documents = load_documents(arguments.k8s)
    check_kubernetes_schema(arguments.k8s, sorted({name for name, _ in documents}), report)
    report.guarded(str(arguments.compose), check_compose, root, arguments.compose, facts)
    report.guarded(str(arguments.k8s), check_kubernetes, arguments.k8s, facts)
    report.guarded("deploy/docker", check_docker, root, facts)
    if not arguments.static_only:
        missing = [s.program for s in facts.services if not (arguments.bin_dir / s.program).is_file()]
        if report.check(not missing, f"service programs built in {arguments.bin_dir}", f"missing {missing} (run make build)"):
            check_running(root, arguments.compose, facts, arguments.bin_dir, report)
            run_self_test(root, facts, report, bin_dir=arguments.bin_dir)
    print(f"deploy validation: {report.passed} checks passed, {len(report.failures)} failed")
    for failure in report.failures:
        print(f"  failed: {failure.splitlines()[0] if failure else failure}")
    return 0 if report.ok else 1


sys.exit(main())
