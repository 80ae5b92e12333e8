import Foundation
import Models

/// The report benchmark's operadoras and their upstream events. Operadora 0 (registro 300000) is
/// the large one: `largestGRUs` chargeable events, one GRU each; operadoras 1..<`operadoras` get
/// `otherGRUs` each. Every chargeable event carries `perEvent` atendimentos, notified beforehand in
/// `abisPerOperadora` ABIs (AIH and APAC alternating), so the portal's lists have real rows.
struct ReportWorkload {
    let largestGRUs: Int
    let operadoras: Int
    let otherGRUs: Int
    let perEvent: Int
    let abisPerOperadora = 20

    static let notifiedOn = "2026-01-20"
    static let chargeableOn = "2026-03-02"
    static let dueOn = "2026-03-16"

    func registro(_ operadora: Int) -> String { operadora == 0 ? "300000" : String(format: "31%04d", operadora) }
    func cnpjRoot(_ operadora: Int) -> String { String(format: "7%07d", operadora) }
    func grus(of operadora: Int) -> Int { operadora == 0 ? largestGRUs : otherGRUs }

    /// The first chargeable event (global index) of `operadora`.
    func firstEvent(of operadora: Int) -> Int { operadora == 0 ? 0 : largestGRUs + (operadora - 1) * otherGRUs }
    var eventCount: Int { firstEvent(of: operadoras) }
    var atendimentoCount: Int { eventCount * perEvent }

    /// The ABI of the `local`-th event of an operadora.
    func abi(local: Int) -> Int { local % abisPerOperadora + 1 }
    /// 13 digits, unique across the workload: "5" + the atendimento's global index.
    func document(_ index: Int) -> String { "5" + String(format: "%012d", index) }
    /// About R$ 1.400,00 (DOMAIN §10), varying by centavos.
    func amount(_ index: Int) -> Money { Money(centavos: 140_000 + Int64(index % 997)) }

    func registered(_ operadora: Int) throws -> OperadoraRegistered {
        let base = cnpjRoot(operadora) + "0001"
        return OperadoraRegistered(
            registroANS: try RegistroANS(registro(operadora)), cnpj: try CNPJ(base + (try CNPJ.checkDigits(for: base))),
            razaoSocial: "Operadora de Referência \(operadora) S.A.", email: "ressarcimento\(operadora)@example.com.br")
    }

    /// The atendimentos of `operadora`'s events grouped by ABI, as the intake notifies them:
    /// `NotificationIssued` then `NotificationAtendimentos` batches of at most 500.
    func notifications(of operadora: Int) throws -> [any DomainEvent] {
        let registroANS = try RegistroANS(registro(operadora))
        var byABI: [Int: [AtendimentoRecord]] = [:]
        for local in 0..<grus(of: operadora) {
            let global = firstEvent(of: operadora) + local
            for index in (global * perEvent)..<((global + 1) * perEvent) {
                byABI[abi(local: local), default: []].append(try record(index))
            }
        }
        var events: [any DomainEvent] = []
        for (abi, records) in byABI.sorted(by: { $0.key < $1.key }) {
            let batches = stride(from: 0, to: records.count, by: NotificationAtendimentos.maximumBatchSize).map {
                Array(records[$0..<min($0 + NotificationAtendimentos.maximumBatchSize, records.count)])
            }
            events.append(NotificationIssued(
                abi: try ABINumber(abi), registroANS: registroANS, availableOn: try CivilDate(parsing: Self.notifiedOn),
                atendimentoCount: records.count, totalToReimburse: Money.sum(records.map(\.amountToReimburse)),
                batchCount: batches.count))
            for (number, batch) in batches.enumerated() {
                events.append(NotificationAtendimentos(abi: try ABINumber(abi), registroANS: registroANS, batch: number + 1,
                                                       atendimentos: batch))
            }
        }
        return events
    }

    /// The `number`-th chargeable event (global index): not impugned, charged at the full amount.
    func chargeable(_ number: Int) throws -> AtendimentosChargeable {
        let operadora = number < largestGRUs ? 0 : (number - largestGRUs) / max(1, otherGRUs) + 1
        let local = number - firstEvent(of: operadora)
        return AtendimentosChargeable(
            abi: try ABINumber(abi(local: local)), registroANS: try RegistroANS(registro(operadora)),
            atendimentos: try ((number * perEvent)..<((number + 1) * perEvent)).map {
                ChargeableAtendimento(document: try SUSDocumentNumber(document($0)),
                                      competencia: try YearMonth(parsing: "2025-06"), outcome: .notImpugned,
                                      originalAmount: amount($0), finalAmount: amount($0))
            },
            originalDueDate: try CivilDate(parsing: Self.dueOn), paymentDueDate: try CivilDate(parsing: Self.dueOn),
            chargeableOn: try CivilDate(parsing: Self.chargeableOn))
    }

    private func record(_ index: Int) throws -> AtendimentoRecord {
        AtendimentoRecord(
            kind: index % 2 == 0 ? .aih : .apac, document: try SUSDocumentNumber(document(index)),
            competencia: try YearMonth(parsing: "2025-06"), beneficiaryCode: "B\(index)",
            birthDate: try CivilDate(parsing: "1980-01-01"), careStart: try CivilDate(parsing: "2025-06-10"),
            careEnd: try CivilDate(parsing: "2025-06-12"), cnes: try CNES("1234567"), procedure: try SIGTAPCode("0301010072"),
            quantity: 1, susValue: amount(index), amountToReimburse: amount(index))
    }
}
