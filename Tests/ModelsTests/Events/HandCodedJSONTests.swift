import Foundation
import LoadGeneration
import Models
import Testing

/// The hand-written JSON of the atendimento-carrying events (`HandCodedEvents.swift`) against
/// Foundation's coders: the same bytes when encoding, the same value when decoding the common
/// form, and for anything else the fast path declines and Foundation's answer (value or error) is
/// what `EventJSON.decode` returns.
@Suite("Hand-coded event JSON")
struct HandCodedJSONTests {
    /// Seeded, so every run checks the same events.
    struct Random {
        var generator: SeededGenerator
        init(state: UInt64) { generator = SeededGenerator(seed: state) }
        mutating func below(_ bound: Int) -> Int { generator.below(bound) }
        mutating func digits(_ count: Int) -> String { String((0..<count).map { _ in Character(String(below(10))) }) }
        mutating func date() -> CivilDate {
            // Years from 1 (padded to 0001) to 9999, as CivilDate allows.
            let year = [1, 87, 999, 1999, 2026, 2031, 9999][below(7)]
            return try! CivilDate(year: year, month: 1 + below(12), day: 1 + below(28))
        }
        mutating func money() -> Money {
            Money(centavos: [0, 1, -5, 140_000, Int64.max, Int64.min, Int64(below(1_000_000_000))][below(7)])
        }
        mutating func month() -> YearMonth { try! YearMonth(year: [1, 2008, 2026, 9999][below(4)], month: 1 + below(12)) }
        /// Texts a beneficiary code might hold, including every byte class JSON escapes.
        mutating func text() -> String {
            ["898001234567890", "", "Conceição Ávila", "a\"b", "a\\b", "a/b", "tab\there", "line\nfeed", "\u{01}\u{1F}",
             "emoji 🏥", "e\u{301}", "\u{7F}\u{80}"][below(12)]
        }
    }

    static func chargeable(_ random: inout Random, count: Int) -> AtendimentosChargeable {
        let outcomes: [ChargeableAtendimento.Outcome] = [.notImpugned, .indeferida, .parcialmenteDeferida, .deferida]
        return AtendimentosChargeable(
            abi: try! ABINumber(1 + random.below(Int.max - 1)), registroANS: try! RegistroANS(random.digits(6)),
            atendimentos: (0..<count).map { _ in
                ChargeableAtendimento(document: try! SUSDocumentNumber(random.digits(13)),
                                      competencia: random.below(4) == 0 ? nil : random.month(),
                                      outcome: outcomes[random.below(4)], originalAmount: random.money(), finalAmount: random.money())
            },
            originalDueDate: random.date(), paymentDueDate: random.date(), chargeableOn: random.date())
    }

    static func notification(_ random: inout Random, count: Int) -> NotificationAtendimentos {
        NotificationAtendimentos(
            abi: try! ABINumber(1 + random.below(100_000)), registroANS: try! RegistroANS(random.digits(6)),
            batch: random.below(3) == 0 ? -random.below(10) : random.below(1_000_000),
            atendimentos: (0..<count).map { _ in
                AtendimentoRecord(kind: random.below(2) == 0 ? .aih : .apac, document: try! SUSDocumentNumber(random.digits(13)),
                                  competencia: random.month(), beneficiaryCode: random.text(), birthDate: random.date(),
                                  careStart: random.date(), careEnd: random.date(), cnes: try! CNES(random.digits(7)),
                                  procedure: try! SIGTAPCode(random.digits(10)), quantity: random.below(5) - 1,
                                  susValue: random.money(), amountToReimburse: random.money())
            })
    }

    static func charge(_ random: inout Random, count: Int) -> ChargeIssued {
        ChargeIssued(
            chargeID: ["C-1", "\(random.digits(6))-\(random.below(100))", "a/b", "ç\"x"][random.below(4)],
            abi: try! ABINumber(1 + random.below(100_000)), registroANS: try! RegistroANS(random.digits(6)),
            atendimentos: (0..<count).map { _ in
                ChargedAtendimento(document: try! SUSDocumentNumber(random.digits(13)),
                                   competencia: random.below(3) == 0 ? nil : random.month(), amount: random.money())
            },
            total: random.money(), gruNumber: random.below(3) == 0 ? nil : try! GRUNumber(random.digits(17)),
            accumulatedSmallCharges: random.money(), issuedOn: random.date())
    }

    /// `value` read by the hand-written reader alone (no fallback).
    static func fastDecode<T: HandCodedJSON>(_: T.Type, _ data: Data) throws -> T {
        try data.withUnsafeBytes { buffer in
            var reader = JSONByteReader(buffer)
            let value = try T(json: &reader)
            try reader.expectEnd()
            return value
        }
    }

    static func check<T: HandCodedJSON & Codable & Equatable>(_ value: T) throws {
        let foundation = try EventJSON.encoder.encode(value)
        let handCoded = try EventJSON.encode(value)
        #expect(String(decoding: handCoded, as: UTF8.self) == String(decoding: foundation, as: UTF8.self))
        #expect(handCoded == foundation)
        // Strings with escapes are left to Foundation; everything else is the fast path's.
        if foundation.contains(UInt8(ascii: "\\")) {
            #expect(throws: JSONByteReader.Unsupported.self) { try fastDecode(T.self, foundation) }
        } else {
            #expect(try fastDecode(T.self, foundation) == value)
        }
        #expect(try EventJSON.decode(T.self, from: foundation) == value)
    }

    @Test("encoding gives Foundation's bytes and decoding gives the value back, for 300 random events of each type")
    func randomEvents() throws {
        var random = Random(state: 2026)
        for round in 0..<300 {
            let count = [0, 1, 2, 50][round % 4]
            try Self.check(Self.chargeable(&random, count: count))
            try Self.check(Self.notification(&random, count: count))
            try Self.check(Self.charge(&random, count: count))
        }
    }

    /// What `EventJSON.decode` gives, as text: the value, or the error's description.
    static func outcome<T: Decodable>(_ decode: () throws -> T) -> String {
        do { return "ok \(try decode())" } catch { return "error \(error)" }
    }

    static let chargeableDocument = #"""
        {"abi":7,"atendimentos":[{"competencia":"2026-01","document":"1234567890123","finalAmount":100,"originalAmount":100,"outcome":"nao_impugnado"}],"chargeableOn":"2026-03-02","originalDueDate":"2026-03-17","paymentDueDate":"2026-03-17","registroANS":"123456"}
        """#

    /// Variants of ``chargeableDocument`` in the common form: the fast path must take them.
    static let commonForms = [
        chargeableDocument,
        " \n\t" + chargeableDocument + " \r\n",
        // Keys in another order, whitespace between tokens, a null and an absent competência.
        #"{ "registroANS" : "123456", "paymentDueDate":"2026-03-17", "originalDueDate":"2026-03-17", "chargeableOn":"2026-03-02", "atendimentos" : [ {"outcome":"nao_impugnado","originalAmount":100,"finalAmount":100,"document":"1234567890123","competencia":null} , {"outcome":"deferida","originalAmount":-0,"finalAmount":0,"document":"1234567890124"} ] , "abi" : 7 }"#,
        #"{"abi":7,"atendimentos":[],"chargeableOn":"2026-03-02","originalDueDate":"2026-03-17","paymentDueDate":"2026-03-17","registroANS":"123456"}"#,
    ]

    @Test("the common form in any key order and spacing is read by the fast path as Foundation reads it", arguments: commonForms)
    func commonForm(text: String) throws {
        let data = Data(text.utf8)
        let fast = try Self.fastDecode(AtendimentosChargeable.self, data)
        #expect(fast == (try EventJSON.decoder.decode(AtendimentosChargeable.self, from: data)))
    }

    /// Inputs outside the common form, valid or not: the fast path declines each, and the result
    /// of `EventJSON.decode` is Foundation's.
    static let otherForms: [String] = {
        let base = chargeableDocument
        return [
            base.replacingOccurrences(of: #""document":"1234567890123""#, with: #""document":"\u0031234567890123""#),
            base.replacingOccurrences(of: #""finalAmount":100"#, with: #""finalAmount":100.0"#),
            base.replacingOccurrences(of: #""finalAmount":100"#, with: #""finalAmount":1e2"#),
            base.replacingOccurrences(of: #""finalAmount":100"#, with: #""finalAmount":0100"#),
            base.replacingOccurrences(of: #""finalAmount":100"#, with: #""finalAmount":99999999999999999999"#),
            base.replacingOccurrences(of: #""finalAmount":100"#, with: #""finalAmount":"100""#),
            base.replacingOccurrences(of: #""abi":7"#, with: #""abi":0"#),
            base.replacingOccurrences(of: #""abi":7"#, with: #""abi":7,"extra":true"#),
            base.replacingOccurrences(of: #""abi":7"#, with: #""abi":7,"abi":8"#),
            base.replacingOccurrences(of: #""abi":7,"#, with: ""),
            base.replacingOccurrences(of: "1234567890123", with: "123456789012"),
            base.replacingOccurrences(of: "2026-03-02", with: "2026-02-30"),
            base.replacingOccurrences(of: "2026-01", with: "2026-13"),
            base.replacingOccurrences(of: "nao_impugnado", with: "anulado"),
            base.replacingOccurrences(of: #""registroANS":"123456""#, with: #""registroANS":"12345\/""#),
            base + "x",
            base + "}",
            String(base.dropLast()),
            "[" + base + "]",
            "",
            "null",
        ]
    }()

    @Test("outside the common form the fast path declines and Foundation decides", arguments: otherForms)
    func otherForm(text: String) {
        let data = Data(text.utf8)
        #expect(throws: JSONByteReader.Unsupported.self) { try Self.fastDecode(AtendimentosChargeable.self, data) }
        #expect(Self.outcome { try EventJSON.decode(AtendimentosChargeable.self, from: data) }
                == Self.outcome { try EventJSON.decoder.decode(AtendimentosChargeable.self, from: data) })
    }

    @Test("bytes that are not UTF-8 are declined and rejected as Foundation rejects them")
    func invalidUTF8() {
        var bytes = Array(Self.chargeableDocument.utf8)
        let index = bytes.firstIndex(of: UInt8(ascii: "9"))!
        bytes[index] = 0xFF
        let data = Data(bytes)
        #expect(throws: JSONByteReader.Unsupported.self) { try Self.fastDecode(AtendimentosChargeable.self, data) }
        #expect(Self.outcome { try EventJSON.decode(AtendimentosChargeable.self, from: data) }
                == Self.outcome { try EventJSON.decoder.decode(AtendimentosChargeable.self, from: data) })
    }

    @Test("an envelope round trip goes through the hand-written codec and keeps the event")
    func envelope() throws {
        var random = Random(state: 7)
        let event = Self.charge(&random, count: 3)
        let envelope = try EventEnvelope.wrapping(event, source: "/test", time: Date(timeIntervalSince1970: 0))
        #expect(envelope.payload == (try EventJSON.encoder.encode(event)))
        #expect(try envelope.decode(ChargeIssued.self) == event)
    }
}
