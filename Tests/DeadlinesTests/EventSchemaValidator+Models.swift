import Foundation
import Models
import TestSupport

extension EventSchemaValidator.Record {
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

extension EventSchemaValidator {
    /// Every event type declared in the code (`EventType.ressus("name", version: N)` in Shared/ and
    /// Services/), rendered like `ce_type`, e.g. `br.gov.ans.ressus.charge.issued.v1`. Throws when an
    /// `EventType.ressus(` call is written in a form this scan cannot read (so none goes unnoticed).
    static func eventTypesInCode() throws -> Set<String> {
        var found: Set<String> = []
        let pattern = /EventType\.ressus\("([a-z0-9.\-]+)", version: ([0-9]+)\)/
        for (path, text) in try sources() {
            let matches = text.matches(of: pattern)
            let calls = text.matches(of: /EventType\.ressus\(/).count
            guard calls == matches.count else {
                throw TestFailure("\(path): \(calls) EventType.ressus( calls but only \(matches.count) of the form EventType.ressus(\"name\", version: N)")
            }
            for match in matches {
                found.insert(EventType.ressus(String(match.1), version: Int(match.2)!).description)
            }
        }
        return found
    }

    /// The names of every type declared as conforming to `DomainEvent` in Shared/ and Services/
    /// (`struct X: …DomainEvent…` or `extension X: …DomainEvent…`).
    static func domainEventTypeNamesInCode() throws -> Set<String> {
        var found: Set<String> = []
        let pattern = /(?:struct|enum|class|extension)\s+([A-Za-z0-9_]+)\s*:\s*[^{]*\bDomainEvent\b/
        for (_, text) in try sources() {
            for match in text.matches(of: pattern) { found.insert(String(match.1)) }
        }
        return found
    }
}
