"""JSON Schema validation with the pinned, offline tools installed by deploy/local/bootstrap.sh:
check-jsonschema's vendored Compose Specification schema and kubernetes-validate's Kubernetes
schemas."""
import subprocess
import sys
from pathlib import Path

# The Kubernetes version whose schemas the manifests must satisfy (strict: unknown fields fail).
KUBERNETES_VERSION = "1.33.0"
TOOLS = Path(sys.executable).parent


def _run(arguments):
    result = subprocess.run(arguments, capture_output=True, text=True, timeout=120)
    return result.returncode, (result.stdout + result.stderr).strip()


def check_compose_schema(compose_path, report):
    report.section("schema: Compose Specification")
    status, output = _run([str(TOOLS / "check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(compose_path)])
    report.check(status == 0, f"{Path(compose_path).name} matches the Compose Specification schema", output)


def check_kubernetes_schema(directory, files, report):
    report.section(f"schema: Kubernetes {KUBERNETES_VERSION} (strict)")
    for name in files:
        status, output = _run([str(TOOLS / "kubernetes-validate"), "--kubernetes-version", KUBERNETES_VERSION,
                               "--strict", "--quiet", str(Path(directory) / name)])
        report.check(status == 0, f"{name} matches the Kubernetes schemas", output)
