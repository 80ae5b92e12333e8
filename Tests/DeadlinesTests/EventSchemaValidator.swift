import Foundation
import Models
import TestSupport

/// Runs `scripts/validate-events.py` (the project's Python venv, with jsonschema and PyYAML) against
/// `docs/asyncapi.yaml` and `docs/schemas/`.
enum EventSchemaValidator {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let asyncAPI = repository.appendingPathComponent("docs/asyncapi.yaml")
    static let script = repository.appendingPathComponent("scripts/validate-events.py")

    /// `<package root>/.local/python/bin/python`, installed by deploy/local/bootstrap.sh.
    static func python() throws -> URL {
        let url = repository.appendingPathComponent(".local/python/bin/python")
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            throw TestFailure("\(url.path) missing: run deploy/local/bootstrap.sh (it installs the Python venv with jsonschema)")
        }
        return url
    }

    /// One event as it travels: topic, key, headers and the payload bytes.
    struct Record: Encodable {
        let topic: String
        let key: String?
        let headers: [String: String]
        let payload: String

        init(topic: String, key: String?, headers: [String: String], payload: Data) {
            self.topic = topic
            self.key = key
            self.headers = headers
            self.payload = String(decoding: payload, as: UTF8.self)
        }

        /// What the outbox relay would publish for `event` on `topic`.
        init<E: DomainEvent>(_ event: E, topic: String, source: String = "/ressus/tests") throws {
            let envelope = try EventEnvelope.wrapping(event, source: source, time: Date())
            self.init(topic: topic, key: envelope.partitionKey,
                      headers: Dictionary(CloudEventHeaders.encode(envelope).map { ($0.name, String(decoding: $0.value, as: UTF8.self)) }) { _, last in last },
                      payload: envelope.payload)
        }

        init(_ captured: CapturedEvent) {
            self.init(topic: captured.topic, key: captured.key, headers: captured.headers, payload: captured.envelope.payload)
        }
    }

    /// What the validator says about a list of events.
    struct Outcome: Decodable {
        struct Failure: Decodable {
            let index: Int
            let type: String?
            let errors: [String]
        }
        let checked: Int
        let failures: [Failure]
    }

    /// What the document describes: channel address → event types, schema file → event type.
    struct Description: Decodable {
        let asyncapi: String
        let channels: [String: [String]]
        let schemas: [String: String?]
    }

    /// Validates `records`; the topics may carry `topicSuffix` (tests' private topics).
    static func validate(_ records: [Record], topicSuffix: String = "") async throws -> Outcome {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("events-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: file) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var lines = Data()
        for record in records {
            lines.append(try encoder.encode(record))
            lines.append(0x0A)
        }
        try lines.write(to: file)
        let result = try await ChildProcess.run(executable: try python(), [
            script.path, "validate", "--asyncapi", asyncAPI.path, "--events", file.path, "--topic-suffix", topicSuffix])
        guard result.status == 0 || result.status == 1 else {
            throw TestFailure("validate-events.py exited \(result.status):\n\(result.output)\(result.error)")
        }
        do {
            return try JSONDecoder().decode(Outcome.self, from: Data(result.output.utf8))
        } catch {
            throw TestFailure("validate-events.py: unexpected output (\(error)):\n\(result.output)\(result.error)")
        }
    }

    /// Checks the document and lists what it describes; throws the problems it finds.
    static func describe() async throws -> Description {
        let result = try await ChildProcess.run(executable: try python(), [script.path, "describe", "--asyncapi", asyncAPI.path])
        guard result.status == 0 else {
            throw TestFailure("docs/asyncapi.yaml or docs/schemas have problems:\n\(result.output)\(result.error)")
        }
        return try JSONDecoder().decode(Description.self, from: Data(result.output.utf8))
    }

    /// Every event type declared in the code (`EventType.ressus("name", version: N)` in Shared/ and
    /// Services/), rendered like `ce_type`, e.g. `br.gov.ans.ressus.charge.issued.v1`.
    static func eventTypesInCode() throws -> Set<String> {
        var found: Set<String> = []
        let pattern = /EventType\.ressus\("([a-z0-9.\-]+)", version: ([0-9]+)\)/
        for folder in ["Shared", "Services"] {
            let root = repository.appendingPathComponent(folder)
            guard let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else {
                throw TestFailure("cannot list \(root.path)")
            }
            for case let file as URL in files where file.pathExtension == "swift" {
                let text = try String(contentsOf: file, encoding: .utf8)
                for match in text.matches(of: pattern) {
                    found.insert(EventType.ressus(String(match.1), version: Int(match.2)!).description)
                }
            }
        }
        return found
    }
}
