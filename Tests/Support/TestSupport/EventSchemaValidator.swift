import Foundation

/// Runs `scripts/validate-events.py` (the project's Python venv, with jsonschema and PyYAML) against
/// `docs/asyncapi.yaml` and `docs/schemas/`. Shared by the test targets that check real events
/// (DeadlinesTests, DebtCalculatorTests); building a `Record` from a `DomainEvent` lives next to the
/// tests that need it (TestSupport does not depend on Models).
public enum EventSchemaValidator {
    public static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    public static let asyncAPI = repository.appendingPathComponent("docs/asyncapi.yaml")
    public static let script = repository.appendingPathComponent("scripts/validate-events.py")

    /// `<package root>/.local/python/bin/python`, installed by deploy/local/bootstrap.sh.
    public static func python() throws -> URL {
        let url = repository.appendingPathComponent(".local/python/bin/python")
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            throw TestFailure("\(url.path) missing: run deploy/local/bootstrap.sh (it installs the Python venv with jsonschema)")
        }
        return url
    }

    /// One event as it travels: topic, key, headers and the payload bytes.
    public struct Record: Encodable, Sendable {
        public let topic: String
        public let key: String?
        public let headers: [String: String]
        public let payload: String

        public init(topic: String, key: String?, headers: [String: String], payload: Data) {
            self.topic = topic
            self.key = key
            self.headers = headers
            self.payload = String(decoding: payload, as: UTF8.self)
        }
    }

    /// What the validator says about a list of events.
    public struct Outcome: Decodable, Sendable {
        public struct Failure: Decodable, Sendable {
            public let index: Int
            public let type: String?
            public let errors: [String]
        }
        public let checked: Int
        public let failures: [Failure]
    }

    /// What the document describes: channel address → event types, schema file → event type.
    public struct Description: Decodable, Sendable {
        public let asyncapi: String
        public let channels: [String: [String]]
        public let schemas: [String: String?]
    }

    /// Validates `records`; the topics may carry `topicSuffix` (tests' private topics).
    public static func validate(_ records: [Record], topicSuffix: String = "") async throws -> Outcome {
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
    public static func describe() async throws -> Description {
        let result = try await ChildProcess.run(executable: try python(), [script.path, "describe", "--asyncapi", asyncAPI.path])
        guard result.status == 0 else {
            throw TestFailure("docs/asyncapi.yaml or docs/schemas have problems:\n\(result.output)\(result.error)")
        }
        return try JSONDecoder().decode(Description.self, from: Data(result.output.utf8))
    }

    /// The Swift sources under `folders` (relative to the package root), with their text.
    public static func sources(in folders: [String] = ["Shared", "Services"]) throws -> [(path: String, text: String)] {
        var found: [(String, String)] = []
        for folder in folders {
            let root = repository.appendingPathComponent(folder)
            guard let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else {
                throw TestFailure("cannot list \(root.path)")
            }
            for case let file as URL in files where file.pathExtension == "swift" {
                found.append((file.path, try String(contentsOf: file, encoding: .utf8)))
            }
        }
        return found
    }
}
