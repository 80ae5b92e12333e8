import Foundation
import Models
import Testing

private struct SampleIssued: DomainEvent, Equatable {
    static let eventType = EventType.ressus("sample.issued", version: 2)
    var registroANS: String
    var amountCentavos: Int64
    var partitionKey: String { registroANS }
}

@Suite struct EventEnvelopeTests {
    let time = Date(timeIntervalSince1970: 1_780_000_000.125)

    @Test func typeRendersAndParsesWithVersion() throws {
        let type = EventType.ressus("charge.issued", version: 1)
        #expect(type.description == "br.gov.ans.ressus.charge.issued.v1")
        #expect(EventType(rendered: "br.gov.ans.ressus.charge.issued.v12") == .ressus("charge.issued", version: 12))
        #expect(EventType(rendered: "br.gov.ans.ressus.charge.issued") == nil)
        #expect(EventType(rendered: "x.v0") == nil)
    }

    @Test func headersRoundTripEveryAttribute() throws {
        let event = SampleIssued(registroANS: "123456", amountCentavos: 1_000_050)
        let envelope = try EventEnvelope.wrapping(
            event, source: "/ressus/test", time: time, causationId: UUID(), correlationId: UUID())
        let headers = CloudEventHeaders.encode(envelope)
        #expect(headers.map(\.name).contains("ce_specversion"))
        #expect(headers.first { $0.name == "content-type" }.map { String(decoding: $0.value, as: UTF8.self) } == "application/json")
        let decoded = try CloudEventHeaders.decode(headers: headers, key: Array("123456".utf8), value: Array(envelope.payload))
        #expect(decoded == envelope)
        #expect(try decoded.decode(SampleIssued.self) == event)
    }

    @Test func newerVersionIsAnExplicitError() throws {
        var envelope = try EventEnvelope.wrapping(SampleIssued(registroANS: "1", amountCentavos: 1), source: "/t", time: time)
        envelope.type = .ressus("sample.issued", version: 3)
        #expect(throws: EventDecodingError.unsupportedVersion(type: "br.gov.ans.ressus.sample.issued", version: 3, supported: 2)) {
            try envelope.decode(SampleIssued.self)
        }
        envelope.type = .ressus("other.event", version: 2)
        #expect(throws: EventDecodingError.self) { try envelope.decode(SampleIssued.self) }
    }

    @Test func malformedHeadersAndPayloadAreErrors() throws {
        let envelope = try EventEnvelope.wrapping(SampleIssued(registroANS: "1", amountCentavos: 1), source: "/t", time: time)
        var headers = CloudEventHeaders.encode(envelope)
        headers.removeAll { $0.name == "ce_id" }
        #expect(throws: EventDecodingError.missingAttribute("ce_id")) {
            try CloudEventHeaders.decode(headers: headers, key: nil, value: [])
        }
        var bad = envelope
        bad.payload = Data("{\"registroANS\": 5}".utf8)
        #expect(throws: EventDecodingError.self) { try bad.decode(SampleIssued.self) }
    }
}
