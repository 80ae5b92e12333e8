"""What the Swift sources say the deployment must match, read from the sources themselves (never
copied here): the services, the environment variables they read, their programs, the topics and
the HTTP routes."""
import re
from dataclasses import dataclass
from pathlib import Path


class SourceError(Exception):
    """A fact could not be found in the sources (they changed shape): fix the parser, not the file."""


def _one(pattern, text, where):
    found = re.findall(pattern, text)
    if not found:
        raise SourceError(f"{where}: no match for {pattern!r}")
    return found


@dataclass(frozen=True)
class Service:
    name: str      # "debt-calculator"
    schema: str    # "debt_calculator"

    @property
    def prefix(self):
        """ServiceDescriptor.environmentPrefix, e.g. RESSUS_DEBT_CALCULATOR_."""
        return "RESSUS_" + self.name.upper().replace("-", "_") + "_"

    @property
    def port_variable(self):
        return self.prefix + "HTTP_PORT"

    @property
    def program(self):
        return "ressus-" + self.name


@dataclass(frozen=True)
class SourceFacts:
    services: tuple          # Service, in catalog order
    variables: frozenset     # every RESSUS_* name the services read
    per_service_suffixes: tuple  # e.g. ("DATABASE_URL", "HTTP_PORT")
    programs: frozenset      # executable products of Package.swift
    topics: dict             # name -> partitions, every topic the deployment must create
    routes: frozenset        # HTTP routes of every service endpoint, e.g. "/health/ready"

    @staticmethod
    def read(root: Path):
        runtime = root / "Shared/Runtime"
        configuration = "\n".join(p.read_text() for p in sorted(runtime.glob("ServiceConfiguration*.swift")))
        services = tuple(
            Service(name, schema) for name, schema in
            _one(r'ServiceDescriptor\(name: "([a-z-]+)", schema: "([a-z_]+)"[,)]', configuration, "ServiceConfiguration.swift"))
        plain = set(_one(r'(?:value|required|integer)\(\s*"(RESSUS_[A-Z0-9_]+)"', configuration, "ServiceConfiguration*.swift"))
        suffixes = tuple(sorted(set(_one(r'environmentPrefix \+ "([A-Z0-9_]+)"', configuration, "ServiceConfiguration*.swift"))))
        variables = plain | {s.prefix + suffix for s in services for suffix in suffixes}

        package = (root / "Package.swift").read_text()
        programs = frozenset(_one(r'\.executable\(name: "([a-z0-9-]+)"', package, "Package.swift"))

        contracts = (root / "Shared/Models/Contracts/Topics.swift").read_text()
        between = _one(r'TopicDefinition\(name: "([a-z.]+)", partitions: (\d+)\)', contracts, "Topics.swift")
        listed = _one(r'static let all = \[([^\]]+)\]', contracts, "Topics.swift")[0]
        declared = dict(_one(r'static let (\w+) = TopicDefinition\(name: "([a-z.]+)"', contracts, "Topics.swift"))
        names_in_all = {declared[n.strip()] for n in listed.split(",") if n.strip()}
        dead = (runtime / "Messaging/DeadLetterMessage.swift").read_text()
        suffix = _one(r'static let suffix = "([^"]+)"', dead, "DeadLetterMessage.swift")[0]
        inbox = (runtime / "Messaging/InboxConsumer.swift").read_text()
        dlt_partitions = int(_one(r'DeadLetterMessage\.topic\(for: \$0\), partitions: (\d+)', inbox, "InboxConsumer.swift")[0])
        clock = (runtime / "Clock/ClockEvents.swift").read_text()
        clock_topic = _one(r'enum ClockTopic \{[^}]*?static let name = "([^"]+)"', clock, "ClockEvents.swift")[0]
        follower = (runtime / "Clock/ClockTopicFollower.swift").read_text()
        clock_partitions = int(_one(r'TopicSpec\(name: topic, partitions: (\d+)\)', follower, "ClockTopicFollower.swift")[0])
        topics = {name: int(p) for name, p in between if name in names_in_all}
        if set(topics) != names_in_all:
            raise SourceError(f"Topics.all names {sorted(names_in_all)}, definitions found {sorted(topics)}")
        topics.update({name + suffix: dlt_partitions for name in names_in_all})
        topics[clock_topic] = clock_partitions

        endpoint = (root / "Shared/ServiceHTTP/HTTPEndpoint.swift").read_text()
        routes = frozenset("/" + r for r in _one(r'router\.get\("([a-z/]+)"', endpoint, "HTTPEndpoint.swift"))
        return SourceFacts(services, frozenset(variables), suffixes, programs, topics, routes)
