// codec-benchmark: encodes and decodes the atendimento-carrying events (DOMAIN §1-4: notification
// batches of 500, chargeable sets and charges of 50) with Foundation's JSON coders and with their
// hand-written codec (`HandCodedJSON`), alternating rounds in one run; prints both rates and the
// ratio. Release build:
//   swift build -c release --product codec-benchmark && .build/release/codec-benchmark [rounds]
import BenchmarkSupport
import Foundation
import LoadGeneration
import Models

/// The events' values, seeded so every run codes the same events.
extension SeededGenerator {
    mutating func digits(_ count: Int) -> String { String((0..<count).map { _ in Character(String(below(10))) }) }
    mutating func date() -> CivilDate { try! CivilDate(year: 2025 + below(2), month: 1 + below(12), day: 1 + below(28)) }
    mutating func money() -> Money { Money(centavos: Int64(10_000 + below(500_000))) }
}

/// One kind of event: how to code it either way, and how many atendimentos it carries.
struct Kind {
    let name: String
    let atendimentos: Int
    let foundationEncode: () throws -> [Data]
    let handEncode: () throws -> [Data]
    let foundationDecode: ([Data]) throws -> Int
    let handDecode: ([Data]) throws -> Int
}

func kind<E: DomainEvent & HandCodedJSON & Equatable>(_ name: String, _ events: [E], atendimentos: Int) throws -> Kind {
    // Both codecs must agree before anything is timed.
    for event in events.prefix(20) {
        guard try EventJSON.encode(event) == (try EventJSON.encoder.encode(event)),
              try EventJSON.decode(E.self, from: try EventJSON.encoder.encode(event)) == event
        else { throw BenchmarkFailure("\(name): the hand-written codec differs from Foundation's") }
    }
    let encoder = EventJSON.encoder, decoder = EventJSON.decoder
    return Kind(
        name: name, atendimentos: atendimentos,
        foundationEncode: { try events.map { try encoder.encode($0) } },
        handEncode: { try events.map { try EventJSON.encode($0) } },
        foundationDecode: { payloads in try payloads.reduce(0) { $0 + (try decoder.decode(E.self, from: $1)).partitionKey.count } },
        handDecode: { payloads in try payloads.reduce(0) { $0 + (try EventJSON.decode(E.self, from: $1)).partitionKey.count } })
}

let rounds = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 3 : 3
var random = SeededGenerator(seed: 1)
let operadora = try RegistroANS("123456")
let chargeable = (0..<400).map { n in
    AtendimentosChargeable(
        abi: try! ABINumber(1 + n), registroANS: operadora,
        atendimentos: (0..<50).map { _ in
            let amount = random.money()
            return ChargeableAtendimento(document: try! SUSDocumentNumber(random.digits(13)), competencia: try! YearMonth(year: 2025, month: 1 + random.below(12)),
                                         outcome: .notImpugned, originalAmount: amount, finalAmount: amount)
        },
        originalDueDate: random.date(), paymentDueDate: random.date(), chargeableOn: random.date())
}
let charges = chargeable.enumerated().map { n, event in
    ChargeIssued(chargeID: "CH-\(n)", abi: event.abi, registroANS: operadora,
                 atendimentos: event.atendimentos.map { ChargedAtendimento(document: $0.document, competencia: $0.competencia, amount: $0.finalAmount) },
                 total: Money(centavos: event.atendimentos.reduce(0) { $0 + $1.finalAmount.centavos }),
                 gruNumber: try! GRUNumber(prefix: "0000001", sequence: Int64(n)), accumulatedSmallCharges: .zero, issuedOn: event.chargeableOn)
}
let notifications = (0..<40).map { n in
    NotificationAtendimentos(abi: try! ABINumber(1 + n), registroANS: operadora, batch: 1, atendimentos: (0..<500).map { _ in
        AtendimentoRecord(kind: random.below(2) == 0 ? .aih : .apac, document: try! SUSDocumentNumber(random.digits(13)),
                          competencia: try! YearMonth(year: 2025, month: 1 + random.below(12)), beneficiaryCode: random.digits(15),
                          birthDate: random.date(), careStart: random.date(), careEnd: random.date(), cnes: try! CNES(random.digits(7)),
                          procedure: try! SIGTAPCode(random.digits(10)), quantity: 1, susValue: random.money(), amountToReimburse: random.money())
    })
}
let kinds = [
    try kind("atendimentos.chargeable (50 each)", chargeable, atendimentos: 50),
    try kind("charge.issued (50 each)", charges, atendimentos: 50),
    try kind("notification.atendimentos (500 each)", notifications, atendimentos: 500),
]

/// Atendimentos per second of `work` over `events` events of `perEvent` atendimentos.
func rate(_ count: Int, _ work: () throws -> Void) rethrows -> Double {
    let start = ContinuousClock.now
    try work()
    return Double(count) / (ContinuousClock.now - start).seconds
}

report("codec-benchmark: \(rounds) rounds, Foundation and hand-written alternately; atendimentos coded per second")
for kind in kinds {
    var best = (fe: 0.0, he: 0.0, fd: 0.0, hd: 0.0)
    let count = try kind.foundationEncode().count * kind.atendimentos
    for _ in 0..<rounds {
        var payloads: [Data] = []
        best.fe = max(best.fe, try rate(count) { payloads = try kind.foundationEncode() })
        best.he = max(best.he, try rate(count) { _ = try kind.handEncode() })
        best.fd = max(best.fd, try rate(count) { _ = try kind.foundationDecode(payloads) })
        best.hd = max(best.hd, try rate(count) { _ = try kind.handDecode(payloads) })
    }
    report(String(format: "  %@: encode %.0f → %.0f (%.1f×), decode %.0f → %.0f (%.1f×)", kind.name,
                  best.fe, best.he, best.he / best.fe, best.fd, best.hd, best.hd / best.fd))
}
