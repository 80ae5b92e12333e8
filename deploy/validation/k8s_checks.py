"""Cross-references of the Kubernetes manifests with the sources and with each other."""
from pathlib import Path

import yaml

from .topics import parse_topic_list


def load_documents(directory):
    """(file name, document) for every manifest the kustomization lists."""
    directory = Path(directory)
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text())
    documents = []
    for name in kustomization.get("resources") or []:
        for document in yaml.safe_load_all((directory / name).read_text()):
            if document:
                documents.append((name, document))
    return kustomization, documents


def check_kubernetes(directory, facts, report):
    directory = Path(directory)
    report.section(f"cross-references: {directory.name}/")
    kustomization, documents = load_documents(directory)
    listed = set(kustomization.get("resources") or [])
    present = {p.name for p in directory.glob("*.yaml")} - {"kustomization.yaml"}
    report.check(listed == present, "kustomization lists every manifest in the folder",
                 f"listed {sorted(listed)}, present {sorted(present)}")
    by_kind = {}
    for _, document in documents:
        by_kind.setdefault(document["kind"], {})[document["metadata"]["name"]] = document

    configmaps = by_kind.get("ConfigMap", {})
    secrets = by_kind.get("Secret", {})
    for kind, items in (("ConfigMap", configmaps), ("Secret", secrets)):
        for name, item in items.items():
            keys = set(item.get("data") or {}) | set(item.get("stringData") or {})
            unknown = sorted(keys - facts.variables)
            report.check(not unknown, f"{kind} {name}: every key is a variable ServiceConfiguration reads", f"unknown {unknown}")
    images = {i["name"] for i in kustomization.get("images") or []}

    deployments = by_kind.get("Deployment", {})
    services = by_kind.get("Service", {})
    for service in facts.services:
        deployment = deployments.get(service.name)
        if report.check(deployment is not None, f"{service.name}: Deployment exists"):
            check_deployment(service, deployment, configmaps, secrets, images, services.get(service.name), facts, report)
    check_topic_job(by_kind.get("Job", {}), configmaps, facts, report)


def environment_sources(pod, configmaps, secrets):
    """The variables a container gets through envFrom, or None when a reference is missing."""
    values = {}
    for container in pod["containers"]:
        for source in container.get("envFrom") or []:
            if "configMapRef" in source:
                item = configmaps.get(source["configMapRef"]["name"])
                if item is None:
                    return None
                values.update(item.get("data") or {})
            if "secretRef" in source:
                item = secrets.get(source["secretRef"]["name"])
                if item is None:
                    return None
                values.update(item.get("stringData") or {})
                values.update({k: "<secret>" for k in item.get("data") or {}})
    return values


def check_deployment(service, deployment, configmaps, secrets, images, svc, facts, report):
    name = service.name
    template = deployment["spec"]["template"]
    pod = template["spec"]
    container = pod["containers"][0]
    replicas = deployment["spec"].get("replicas")
    report.check(isinstance(replicas, int) and replicas >= 1, f"{name}: replicas set", f"replicas {replicas!r}")
    report.check(container.get("command") == [f"/usr/local/bin/{service.program}"] and service.program in facts.programs,
                 f"{name}: runs its program {service.program}", f"command {container.get('command')}")
    report.check(container.get("image") in images, f"{name}: image is the kustomization's ressus image",
                 f"image {container.get('image')!r}, kustomization images {sorted(images)}")
    env = environment_sources(pod, configmaps, secrets)
    if not report.check(env is not None, f"{name}: envFrom names an existing ConfigMap and Secret"):
        return
    inline = {e["name"] for e in container.get("env") or []}
    report.check(inline <= facts.variables, f"{name}: inline env names are known", f"{sorted(inline)}")
    report.check("RESSUS_DATABASE_URL" in env and "RESSUS_KAFKA_BROKERS" in env and env.get("RESSUS_HTTP_HOST") == "0.0.0.0",
                 f"{name}: gets the database URL, the brokers and RESSUS_HTTP_HOST=0.0.0.0")
    port = env.get(service.port_variable, "")
    ports = {p.get("name"): p["containerPort"] for p in container.get("ports") or []}
    report.check(port.isdigit() and ports.get("http") == int(port),
                 f"{name}: containerPort 'http' = {service.port_variable}", f"ports {ports}, variable {port!r}")
    for probe, path in (("startupProbe", "/health/live"), ("livenessProbe", "/health/live"), ("readinessProbe", "/health/ready")):
        get = (container.get(probe) or {}).get("httpGet") or {}
        report.check(get.get("path") == path and path in facts.routes and get.get("port") in ("http", ports.get("http")),
                     f"{name}: {probe} GET {path} on the http port", f"httpGet {get}")
    annotations = template["metadata"].get("annotations") or {}
    report.check(annotations.get("prometheus.io/scrape") == "true" and annotations.get("prometheus.io/port") == port
                 and annotations.get("prometheus.io/path") == "/metrics" and "/metrics" in facts.routes,
                 f"{name}: Prometheus scrape annotations on its port and /metrics", f"annotations {annotations}")
    resources = container.get("resources") or {}
    report.check({"cpu", "memory"} <= set(resources.get("requests") or {}), f"{name}: resource requests")
    shutdown = int(env.get("RESSUS_SHUTDOWN_TIMEOUT_SECONDS") or 15)
    report.check(pod.get("terminationGracePeriodSeconds", 30) > shutdown + 5,
                 f"{name}: termination grace period exceeds the shutdown bound")
    labels = template["metadata"].get("labels") or {}
    if report.check(svc is not None, f"{name}: Service exists"):
        selector = svc["spec"].get("selector") or {}
        targets = {p.get("targetPort") for p in svc["spec"].get("ports") or []}
        report.check(selector.items() <= labels.items() and targets <= {"http", ports.get("http")},
                     f"{name}: Service selects the pods and targets the http port", f"selector {selector}, targets {targets}")


def check_topic_job(jobs, configmaps, facts, report):
    if not report.check(len(jobs) == 1, "a Job creates the topics"):
        return
    job = next(iter(jobs.values()))
    container = job["spec"]["template"]["spec"]["containers"][0]
    env = {e["name"]: e for e in container.get("env") or []}
    topics = parse_topic_list((env.get("TOPICS") or {}).get("value", ""))
    missing = {k: v for k, v in facts.topics.items() if topics.get(k) != v}
    extra = sorted(set(topics) - set(facts.topics))
    report.check(topics == facts.topics, "the Job creates exactly Topics.swift's topics, their .DLT and the clock topic",
                 f"missing or different {missing}, unexpected {extra}")
    ref = ((env.get("KAFKA_BOOTSTRAP") or {}).get("valueFrom") or {}).get("configMapKeyRef") or {}
    report.check(ref.get("key") in (configmaps.get(ref.get("name")) or {}).get("data", {}),
                 "the Job takes the brokers from the ConfigMap", f"configMapKeyRef {ref}")
