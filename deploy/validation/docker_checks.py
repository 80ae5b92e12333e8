"""Checks of deploy/docker/Dockerfile, .dockerignore and the health-check script."""
import re
from pathlib import Path


def check_docker(root, facts, report):
    root = Path(root)
    report.section("cross-references: deploy/docker/Dockerfile")
    dockerfile = (root / "deploy/docker/Dockerfile").read_text()
    stages = re.findall(r"^FROM\s+(\S+)", dockerfile, re.M)
    report.check(len(stages) >= 2 and stages[0].startswith("swift:") and "slim" in stages[-1],
                 "multi-stage: a swift build image, then a slim runtime", f"stages {stages}")
    products = set(re.search(r'ARG PRODUCTS="([^"]+)"', dockerfile).group(1).split()) if "ARG PRODUCTS" in dockerfile else set()
    wanted = {s.program for s in facts.services} | {"ressus"}
    report.check(wanted <= products and products <= facts.programs,
                 "the image builds the five service programs and the CLI (products of Package.swift)",
                 f"builds {sorted(products)}")
    report.check(re.search(r"ENV RESSUS_LIBRDKAFKA_PREFIX=/usr\b", dockerfile) is not None,
                 "build links Debian's librdkafka (RESSUS_LIBRDKAFKA_PREFIX=/usr, not the local prefix)")
    runtime = dockerfile[dockerfile.rindex("FROM "):]
    report.check(all(p in runtime for p in ("librdkafka1", "libpq5")), "runtime installs Debian's librdkafka1 and libpq5")
    users = re.findall(r"^USER\s+(\S+)", runtime, re.M)
    report.check(users and users[-1].split(":")[0] not in ("0", "root"), "runtime runs as a non-root user", f"USER {users}")
    report.check("COPY deploy/docker/healthcheck.sh /usr/local/bin/ressus-healthcheck" in runtime
                 and (root / "deploy/docker/healthcheck.sh").is_file(), "the health-check script is in the image")
    ignored = set((root / ".dockerignore").read_text().split())
    report.check({".build", ".local", ".git"} <= ignored, ".dockerignore keeps out .build, .local and .git",
                 f"ignores {sorted(ignored)}")
