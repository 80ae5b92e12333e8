import FNSTransferCore
import Foundation
import Models
import Postgres
import Runtime
import TestSupport
import Testing

/// The Dados Gerais and the accounting journal built from a small cycle of events (intake,
/// deadlines, debt calculator) applied through the FNS handler.
@Suite struct DadosGeraisTests {
    @Test func figuresPerYearAndOverall() async throws {
        try await FNSFixture.with(startingOn: Sample.date("2025-11-03")) { fixture in
            try await Cycle.apply(to: fixture)
            let dados = try await fixture.read { try FNSReports.dadosGerais(on: $0) }
            #expect(dados.years.map(\.year) == [2025, 2026])
            let y2025 = dados.years[0].figures, y2026 = dados.years[1].figures, all = dados.overall
            #expect(y2025.identified == CountAmount(count: 3, amount: Money(centavos: 300_000)))
            #expect(y2025.impugned == CountAmount(count: 1, amount: Money(centavos: 100_000)))
            #expect(y2025.charged == CountAmount())
            #expect(y2025.indiceAdimplenciaHundredths == nil && y2025.indiceAdimplenciaText == "—")
            #expect(y2026.identified == CountAmount(count: 2, amount: Money(centavos: 50_000)))
            #expect(y2026.annulled == CountAmount(count: 1, amount: Money(centavos: 100_000)))
            #expect(y2026.charged == CountAmount(count: 4, amount: Money(centavos: 250_000)))
            #expect(y2026.paid == CountAmount(count: 1, amount: Money(centavos: 80_000)))
            #expect(y2026.parcelled == CountAmount(count: 1, amount: Money(centavos: 120_000)))
            #expect(y2026.suspended == CountAmount(count: 1, amount: Money(centavos: 50_000)))
            #expect(y2026.dividaAtiva == CountAmount(count: 1, amount: Money(centavos: 50_000)))
            #expect(y2026.collected == CountAmount(count: 3, amount: Money(centavos: 170_700)))
            #expect(y2026.transferred == CountAmount(count: 2, amount: Money(centavos: 140_600)))
            #expect(all.identified == CountAmount(count: 5, amount: Money(centavos: 350_000)))
            // (80.000,00 + 120.000,00) / 250.000,00 = 80%.
            #expect(all.indiceAdimplenciaHundredths == 8_000 && all.indiceAdimplenciaText == "80,00%")

            // Replaying every event changes nothing.
            try await Cycle.apply(to: fixture, advancing: false)
            let again = try await fixture.read { try FNSReports.dadosGerais(on: $0) }
            #expect(again == dados)
        }
    }

    /// An APAC notified for two competências (DOMAIN §1): the first impugnada and deferida, the other
    /// charged; the impugned and annulled figures count the right competência's amount.
    @Test func theCompetenciasOfAnAPACAreCountedApart() async throws {
        try await FNSFixture.with(startingOn: Sample.date("2025-11-03")) { fixture in
            let registro = Sample.registro(), abi = try ABINumber(1)
            let october = Sample.month("2025-10"), november = Sample.month("2025-11")
            var first = Cycle.atendimento(7, amount: 60_000)
            first.kind = .apac
            first.competencia = october
            var second = first
            second.competencia = november
            second.amountToReimburse = Money(centavos: 45_000)
            try await fixture.apply(NotificationAtendimentos(abi: abi, registroANS: registro, batch: 1,
                                                             atendimentos: [first, second]))
            try await fixture.apply(ImpugnacaoFiled(abi: abi, registroANS: registro, document: Sample.document(7),
                                                    competencia: october, grounds: .technical,
                                                    filedOn: Sample.date("2025-11-20")))
            try await fixture.apply(AtendimentosChargeable(
                abi: abi, registroANS: registro, atendimentos: [
                    ChargeableAtendimento(document: Sample.document(7), competencia: october, outcome: .deferida,
                                          originalAmount: Money(centavos: 60_000), finalAmount: .zero),
                    ChargeableAtendimento(document: Sample.document(7), competencia: november, outcome: .notImpugned,
                                          originalAmount: Money(centavos: 45_000), finalAmount: Money(centavos: 45_000)),
                ], originalDueDate: Sample.date("2025-12-22"), paymentDueDate: Sample.date("2025-12-22"),
                chargeableOn: Sample.date("2025-12-05")))
            let all = try await fixture.read { try FNSReports.dadosGerais(on: $0) }.overall
            #expect(all.impugned == CountAmount(count: 1, amount: Money(centavos: 60_000)))
            #expect(all.annulled == CountAmount(count: 1, amount: Money(centavos: 60_000)))
        }
    }

    @Test func indexRoundsHalfUp() {
        var figures = DadosGeraisFigures()
        figures.charged = CountAmount(count: 3, amount: Money(centavos: 300_000))
        figures.paid = CountAmount(count: 1, amount: Money(centavos: 100_000))
        figures.parcelled = CountAmount(count: 1, amount: Money(centavos: 15))
        // 100.015 / 300.000 = 33,338333…% → 33,34%.
        #expect(figures.indiceAdimplenciaHundredths == 3_334)
        #expect(figures.indiceAdimplenciaText == "33,34%")
        figures.paid = CountAmount(count: 1, amount: Money(centavos: 3_015))
        figures.parcelled = CountAmount()
        // 3.015 / 300.000 = 1,005% → 1,01%.
        #expect(figures.indiceAdimplenciaText == "1,01%")
    }

    @Test func journalEntriesBalancePerEntry() async throws {
        try await FNSFixture.with(startingOn: Sample.date("2025-11-03")) { fixture in
            try await Cycle.apply(to: fixture)
            let february = try await fixture.read { try FNSReports.journal(month: Sample.month("2026-02"), on: $0) }
            #expect(february.map(\.id) == ["COB-c2", "PAG-p1"])
            let march = try await fixture.read { try FNSReports.journal(month: Sample.month("2026-03"), on: $0) }
            #expect(march.map(\.id) == ["PAG-p2", "REP-2026-02/1"])
            for entry in february + march {
                #expect(entry.balances, "\(entry.id): debits \(entry.debits), credits \(entry.credits)")
                #expect(entry.lines.allSatisfy { ($0.debit == .zero) != ($0.credit == .zero) })
            }
            let payment = march[0]
            #expect(payment.lines.map(\.account) == [.cash, .receivable, .jurosRevenue])
            #expect(payment.debits == Money(centavos: 60_600))
            #expect(march[1].lines.map(\.account) == [.transferToFNS, .cash])
            #expect(march[1].debits == Money(centavos: 80_000))

            // The CSV: every entry's debits equal its credits, summed from the text.
            let csv = FNSReports.journalCSV(february + march)
            let balances = try JournalCSV.balances(csv)
            #expect(balances.count == 4)
            #expect(balances.values.allSatisfy { $0.debit == $0.credit && $0.debit > 0 })
            #expect(balances["PAG-p2"]?.debit == 60_600)
        }
    }
}

/// Parses the journal CSV back: debits and credits per entry, in centavos.
enum JournalCSV {
    static func balances(_ csv: String) throws -> [String: (debit: Int64, credit: Int64)] {
        let lines = csv.split(separator: "\n").map(String.init)
        guard lines.first == "lancamento;data;origem;referencia;conta;descricao_conta;debito;credito" else {
            throw TestFailure("unexpected header: \(lines.first ?? "")")
        }
        var result: [String: (debit: Int64, credit: Int64)] = [:]
        for line in lines.dropFirst() {
            let fields = line.split(separator: ";", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 8 else { throw TestFailure("bad line: \(line)") }
            let debit = try Money(parsing: fields[6]).centavos, credit = try Money(parsing: fields[7]).centavos
            let current = result[fields[0]] ?? (0, 0)
            result[fields[0]] = (current.debit + debit, current.credit + credit)
        }
        return result
    }
}

/// A small cycle: two notifications (2025 and 2026), an impugnação deferida, two charges, a partial
/// payment, a parcelamento with a paid installment, a suspension and a dívida ativa inscription.
enum Cycle {
    static func atendimento(_ n: Int, amount: Int64) -> Models.AtendimentoRecord {
        Models.AtendimentoRecord(
            kind: .aih, document: Sample.document(n), competencia: Sample.month("2025-06"), beneficiaryCode: "B1",
            birthDate: Sample.date("1970-01-01"), careStart: Sample.date("2025-06-02"), careEnd: Sample.date("2025-06-05"),
            cnes: try! CNES("1234567"), procedure: try! SIGTAPCode("0303010010"), quantity: 1,
            susValue: Money(centavos: amount * 2 / 3), amountToReimburse: Money(centavos: amount))
    }

    /// The cycle's events, in order.
    static func events() throws -> [any DomainEvent] {
        let registro = Sample.registro()
        let abi1 = try ABINumber(1), abi2 = try ABINumber(2)
        let first = (1...3).map { atendimento($0, amount: 100_000) }
        let second = (4...5).map { atendimento($0, amount: 25_000) }
        var events: [any DomainEvent] = []
        events.append(NotificationIssued(abi: abi1, registroANS: registro, availableOn: Sample.date("2025-11-03"),
                                         atendimentoCount: 3, totalToReimburse: Money(centavos: 300_000), batchCount: 1))
        events.append(NotificationAtendimentos(abi: abi1, registroANS: registro, batch: 1, atendimentos: first))
        events.append(ImpugnacaoFiled(abi: abi1, registroANS: registro, document: Sample.document(3),
                                      competencia: Sample.month("2025-06"),
                                      grounds: .technical, filedOn: Sample.date("2025-11-20")))
        events.append(NotificationIssued(abi: abi2, registroANS: registro, availableOn: Sample.date("2026-01-05"),
                                         atendimentoCount: 2, totalToReimburse: Money(centavos: 50_000), batchCount: 1))
        events.append(NotificationAtendimentos(abi: abi2, registroANS: registro, batch: 1, atendimentos: second))
        events.append(AtendimentosChargeable(
            abi: abi1, registroANS: registro, atendimentos: [
                ChargeableAtendimento(document: Sample.document(1), competencia: Sample.month("2025-06"), outcome: .notImpugned,
                                      originalAmount: Money(centavos: 100_000), finalAmount: Money(centavos: 100_000)),
                ChargeableAtendimento(document: Sample.document(2), competencia: Sample.month("2025-06"), outcome: .notImpugned,
                                      originalAmount: Money(centavos: 100_000), finalAmount: Money(centavos: 100_000)),
                ChargeableAtendimento(document: Sample.document(3), competencia: Sample.month("2025-06"), outcome: .deferida,
                                      originalAmount: Money(centavos: 100_000), finalAmount: .zero),
            ], originalDueDate: Sample.date("2026-01-26"), paymentDueDate: Sample.date("2026-01-26"),
            chargeableOn: Sample.date("2026-01-10")))
        events.append(Sample.charge("c1", atendimentos: [(1, 100_000), (2, 100_000)], issuedOn: "2026-01-10", gru: 1))
        events.append(Sample.gruIssued(1, principal: 200_000, issuedOn: "2026-01-10"))
        events.append(Sample.charge("c2", atendimentos: [(4, 25_000), (5, 25_000)], issuedOn: "2026-02-02", gru: 2))
        events.append(Sample.gruIssued(2, principal: 50_000, issuedOn: "2026-02-02"))
        // Partial payment of GRU 1, then the rest parcelled; installment GRU 10 paid with juros.
        events.append(Sample.settled("p1", gru: 1, paidOn: "2026-02-10", principal: 80_000))
        events.append(Sample.stateChanged(1, from: .emitida, to: .emitida, on: "2026-02-10", principal: 200_000, openAfter: 120_000))
        events.append(Sample.stateChanged(1, from: .emitida, to: .parcelada, on: "2026-03-02", principal: 200_000, openAfter: 0))
        events.append(Sample.gruIssued(10, purpose: .installment, principal: 60_000, issuedOn: "2026-03-02"))
        events.append(Sample.settled("p2", gru: 10, paidOn: "2026-03-05", principal: 60_000, juros: 600))
        // A reissued installment (same parcelamento): collected, not counted as paid.
        events.append(Sample.gruIssued(11, purpose: .reissue, principal: 30_000, issuedOn: "2026-04-01", parcelamento: "p1"))
        events.append(Sample.settled("p3", gru: 11, paidOn: "2026-04-15", principal: 30_000, multa: 100))
        // GRU 2: suspended, lifted, then inscribed in dívida ativa.
        events.append(Sample.stateChanged(2, from: .emitida, to: .suspensaJudicialmente, on: "2026-03-10", principal: 50_000, openAfter: 50_000))
        events.append(Sample.stateChanged(2, from: .suspensaJudicialmente, to: .emitida, on: "2026-04-10", principal: 50_000, openAfter: 50_000))
        events.append(Sample.stateChanged(2, from: .emitida, to: .inscritaEmDividaAtiva, on: "2026-06-01", principal: 50_000, openAfter: 50_000))
        return events
    }

    static func apply(to fixture: FNSFixture, advancing: Bool = true) async throws {
        for event in try events() { try await fixture.apply(event) }
        if advancing {
            // February's repasse on Tue Mar 31, March's on Thu Apr 30.
            try await fixture.advance(to: Sample.date("2026-04-30"))
        }
    }
}
