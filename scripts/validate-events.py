#!/usr/bin/env python3
"""Checks docs/asyncapi.yaml and docs/schemas/, and validates captured events against them.

Needs jsonschema (4.26) and PyYAML: run it with the venv deploy/local/bootstrap.sh installs,
`.local/python/bin/python scripts/validate-events.py ...`.

  describe --asyncapi docs/asyncapi.yaml
      Checks the document (asyncapi 3.0.0, every reference resolves, every schema file is a valid
      draft 2020-12 schema whose x-ressus-event-type matches its message) and prints, as JSON, the
      channels (address -> event types) and every schema file. Exit status 1 with the problems when
      something is wrong.

  validate --asyncapi docs/asyncapi.yaml --events FILE [--topic-suffix SUFFIX]
      FILE has one JSON object per line: {"topic": ..., "key": ..., "headers": {name: value},
      "payload": <the message value as a JSON string>}. Each event is matched to its message by the
      ce_type header and checked: topic (without SUFFIX, for tests' private topics) = the channel's
      address, headers, key and payload against their schemas (formats checked too). Prints
      {"checked": N, "failures": [...]} and exits 1 when any event fails.
"""
import argparse
import datetime
import json
import os
import sys

import yaml
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

DOCUMENT_URI = "https://ressus.invalid/asyncapi.yaml"


def format_checker():
    """The standard checks plus date-time, which jsonschema only checks with an optional package."""
    checker = FormatChecker()

    @checker.checks("date-time", raises=ValueError)
    def is_date_time(text):
        if not isinstance(text, str):
            return True
        if "T" not in text or not (text.endswith("Z") or text[-6] in "+-"):
            raise ValueError("not an RFC 3339 date-time with a time zone")
        datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
        return True

    return checker


class Contracts:
    """The AsyncAPI document and the schema files, with a registry resolving their references."""

    def __init__(self, asyncapi_path):
        with open(asyncapi_path, encoding="utf-8") as f:
            self.document = yaml.safe_load(f)
        self.schema_dir = os.path.join(os.path.dirname(os.path.abspath(asyncapi_path)), "schemas")
        self.schemas = {}
        for name in sorted(os.listdir(self.schema_dir)):
            if name.endswith(".json"):
                with open(os.path.join(self.schema_dir, name), encoding="utf-8") as f:
                    self.schemas[name] = json.load(f)
        resources = [(DOCUMENT_URI, Resource.from_contents(self.document, default_specification=DRAFT202012))]
        resources += [(schema.get("$id", name), Resource.from_contents(schema)) for name, schema in self.schemas.items()]
        self.registry = Registry().with_resources(resources)
        self.checker = format_checker()

    def problems(self):
        found = []
        if self.document.get("asyncapi") != "3.0.0":
            found.append(f"asyncapi is {self.document.get('asyncapi')!r}, expected '3.0.0'")
        for name, schema in self.schemas.items():
            try:
                Draft202012Validator.check_schema(schema)
            except Exception as error:  # noqa: BLE001 - report every kind of schema error
                found.append(f"{name}: not a valid draft 2020-12 schema: {error}")
            if schema.get("$schema") != "https://json-schema.org/draft/2020-12/schema":
                found.append(f"{name}: $schema is not draft 2020-12")
            if schema.get("$id") != "https://ressus.invalid/schemas/" + name:
                found.append(f"{name}: $id does not name the file")
        messages = self.document.get("components", {}).get("messages", {})
        for message_name, message in messages.items():
            event_type = self.event_type(message)
            payload_ref = message.get("payload", {}).get("schema", {}).get("$ref", "")
            file_name = payload_ref.removeprefix("./schemas/")
            schema = self.schemas.get(file_name)
            if schema is None:
                found.append(f"message {message_name}: payload {payload_ref!r} is not a file in docs/schemas")
            elif schema.get("x-ressus-event-type") != event_type:
                found.append(f"message {message_name}: ce_type {event_type} but {file_name} describes "
                             f"{schema.get('x-ressus-event-type')}")
            if not message.get("payload", {}).get("schemaFormat", "").startswith("application/schema+json;version=draft-2020-12"):
                found.append(f"message {message_name}: payload schemaFormat is not JSON Schema draft 2020-12")
            for pointer in ("headers", "bindings/kafka/key"):
                try:
                    self.resolve(f"#/components/messages/{message_name}/{pointer}")
                except Exception as error:  # noqa: BLE001
                    found.append(f"message {message_name}: {pointer} does not resolve: {error}")
        channel_of = {}
        for channel_id, channel in self.document.get("channels", {}).items():
            for reference in (channel.get("messages") or {}).values():
                name = reference.get("$ref", "").removeprefix("#/components/messages/")
                if name not in messages:
                    found.append(f"channel {channel_id}: message {reference} not in components")
                elif name in channel_of:
                    found.append(f"message {name} is on two channels")
                channel_of[name] = channel_id
        for name in messages:
            if name not in channel_of:
                found.append(f"message {name} is on no channel")
        channels = self.document.get("channels", {})
        for operation_id, operation in self.document.get("operations", {}).items():
            channel_id = operation.get("channel", {}).get("$ref", "").removeprefix("#/channels/")
            if channel_id not in channels:
                found.append(f"operation {operation_id}: unknown channel {channel_id}")
                continue
            for reference in operation.get("messages", []):
                prefix = f"#/channels/{channel_id}/messages/"
                ref = reference.get("$ref", "")
                if not ref.startswith(prefix) or ref.removeprefix(prefix) not in (channels[channel_id].get("messages") or {}):
                    found.append(f"operation {operation_id}: message {ref} is not on channel {channel_id}")
        return found

    @staticmethod
    def event_type(message):
        for part in message.get("headers", {}).get("allOf", []):
            constant = part.get("properties", {}).get("ce_type", {}).get("const")
            if constant:
                return constant
        return None

    def resolve(self, pointer):
        return self.registry.resolver().lookup(DOCUMENT_URI + pointer).contents

    def description(self):
        messages = self.document["components"]["messages"]
        channels = {}
        for channel in self.document["channels"].values():
            names = [ref["$ref"].removeprefix("#/components/messages/") for ref in (channel.get("messages") or {}).values()]
            channels[channel["address"]] = sorted(self.event_type(messages[name]) for name in names)
        return {"asyncapi": self.document["asyncapi"], "channels": channels,
                "schemas": {name: schema.get("x-ressus-event-type") for name, schema in self.schemas.items()}}

    def messages_by_type(self):
        found = {}
        for channel in self.document["channels"].values():
            for ref in (channel.get("messages") or {}).values():
                name = ref["$ref"].removeprefix("#/components/messages/")
                found[self.event_type(self.document["components"]["messages"][name])] = (name, channel["address"])
        return found

    def validator(self, pointer):
        return Draft202012Validator({"$ref": DOCUMENT_URI + pointer}, registry=self.registry, format_checker=self.checker)


def errors_of(validator, instance):
    return [f"{'/'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}"
            for error in sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.absolute_path)))]


def validate(contracts, events_path, topic_suffix):
    by_type = contracts.messages_by_type()
    validators = {}
    failures = []
    checked = 0
    with open(events_path, encoding="utf-8") as f:
        lines = [line for line in f if line.strip()]
    for index, line in enumerate(lines):
        event = json.loads(line)
        checked += 1
        headers = event.get("headers", {})
        event_type = headers.get("ce_type")
        if event_type not in by_type:
            failures.append({"index": index, "type": event_type, "errors": ["no message in the AsyncAPI document for this ce_type"]})
            continue
        name, address = by_type[event_type]
        if name not in validators:
            base = f"#/components/messages/{name}"
            validators[name] = tuple(contracts.validator(base + part) for part in ("/headers", "/bindings/kafka/key", "/payload/schema"))
        headers_validator, key_validator, payload_validator = validators[name]
        errors = []
        topic = event.get("topic", "")
        if topic_suffix and topic.endswith(topic_suffix):
            topic = topic[: -len(topic_suffix)]
        if topic != address:
            errors.append(f"(topic): {event.get('topic')!r} is not the channel {address!r}")
        errors += ["(headers) " + e for e in errors_of(headers_validator, headers)]
        errors += ["(key) " + e for e in errors_of(key_validator, event.get("key"))]
        if event.get("key") != headers.get("ce_partitionkey"):
            errors.append("(key): differs from ce_partitionkey")
        try:
            payload = json.loads(event["payload"])
        except (KeyError, TypeError, ValueError) as error:
            errors.append(f"(payload): not JSON: {error}")
        else:
            errors += errors_of(payload_validator, payload)
        if errors:
            failures.append({"index": index, "type": event_type, "errors": errors})
    return {"checked": checked, "failures": failures}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["describe", "validate"])
    parser.add_argument("--asyncapi", required=True)
    parser.add_argument("--events")
    parser.add_argument("--topic-suffix", default="")
    arguments = parser.parse_args()
    contracts = Contracts(arguments.asyncapi)
    problems = contracts.problems()
    if problems:
        print(json.dumps({"problems": problems}, indent=1, ensure_ascii=False))
        return 1
    if arguments.command == "describe":
        print(json.dumps(contracts.description(), indent=1, sort_keys=True))
        return 0
    if not arguments.events:
        parser.error("validate needs --events")
    result = validate(contracts, arguments.events, arguments.topic_suffix)
    print(json.dumps(result, indent=1, ensure_ascii=False))
    return 1 if result["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
