import Foundation
import Models
import Postgres
@testable import ReportPublisherCore
import Testing

/// The Posição Financeira Atualizada read back with pdftotext, against amounts computed by hand
/// from DOMAIN §5 (``Hand``).
@Suite("Posição Financeira Atualizada (PDF)", .serialized)
struct PositionReportTests {
    static let registro = "341234"
    static let root = "12ABC345"

    /// Five GRUs of one operadora (and one of another) through their events.
    static func events() throws -> [EventEnvelope] {
        let r = registro
        return [
            try Events.operadora(registro: r, root: root, name: "Saúde Exemplo Assistência Médica Ltda."),
            try Events.operadora(registro: "559900", root: "99887766", name: "Outra Operadora S.A."),
            try Events.gruIssued(Events.gruNumber(1), registro: r, principal: "10000,00", issuedOn: "2026-03-01", dueDate: "2026-03-16"),
            try Events.gruIssued(Events.gruNumber(2), registro: r, principal: "20000,00", issuedOn: "2026-01-15", dueDate: "2026-01-30"),
            try Events.gruIssued(Events.gruNumber(3), registro: r, principal: "7000,00", issuedOn: "2026-01-15", dueDate: "2026-02-27"),
            try Events.stateChanged(Events.gruNumber(3), registro: r, from: .emitida, to: .pagaComAtraso, on: "2026-03-20",
                                    principal: "7000,00", open: "0", paid: "7500,00", accrualDate: "2026-02-27", reason: "pagamento"),
            try Events.gruIssued(Events.gruNumber(4), registro: r, principal: "5000,00", issuedOn: "2025-12-10", dueDate: "2025-12-31"),
            try Events.stateChanged(Events.gruNumber(4), registro: r, from: .emitida, to: .emitida, on: "2026-02-10",
                                    principal: "5000,00", open: "3000,00", paid: "2100,00", accrualDate: "2025-12-31",
                                    reason: "pagamento parcial"),
            try Events.gruIssued(Events.gruNumber(5), registro: r, principal: "1000,00", issuedOn: "2026-02-01", dueDate: "2026-02-27"),
            try Events.stateChanged(Events.gruNumber(5), registro: r, from: .emitida, to: .suspensaJudicialmente, on: "2026-03-05",
                                    principal: "1000,00", open: "1000,00", paid: "0", accrualDate: "2026-02-27",
                                    reason: "suspensão judicial"),
            try Events.gruIssued(Events.gruNumber(6), registro: r, principal: "3000,00", issuedOn: "2025-11-01", dueDate: "2025-11-20"),
            try Events.envelope(GRUStateChanged(
                gruNumber: Events.gruNumber(6), registroANS: try RegistroANS(r), previousState: .emitida, state: .parcelada,
                effectiveOn: Events.date("2026-01-15"), principal: Events.money("3000,00"), openPrincipal: .zero, paidTotal: .zero,
                credit: .zero, accrualDate: Events.date("2025-11-20"), reason: "parcelamento P1", parcelamentoID: "P1")),
            try Events.gruIssued(Events.gruNumber(8), registro: r, principal: "2500,00", issuedOn: "2025-04-10", dueDate: "2025-04-30"),
            try Events.stateChanged(Events.gruNumber(8), registro: r, from: .emitida, to: .inscritaEmDividaAtiva, on: "2025-07-29",
                                    principal: "2500,00", open: "2500,00", paid: "0", accrualDate: "2025-04-30",
                                    reason: "inscrita em dívida ativa"),
            try Events.gruIssued(Events.gruNumber(99), registro: "559900", principal: "888,88", issuedOn: "2026-01-02", dueDate: "2026-01-20"),
        ]
    }

    static func report(_ fixture: Fixture, registro: String = registro, asOf: String) async throws -> (PositionReport, [String]) {
        let date = Events.date(asOf)
        let (operadora, positions, selic) = try await fixture.pool.withConnection { c in
            let operadora = try #require(try ReadModelQueries.operadoras(cnpjRoot: registro == Self.registro ? root : "X", on: c).first)
            return (operadora, try ReadModelQueries.positions(of: registro, asOf: date, on: c), try ReadModelQueries.selicTable(on: c))
        }
        let report = PositionReport(operadora: operadora, referenceDate: date, generatedAt: Date(), selic: selic, positions: positions)
        return (report, try await Tool.pdfText(PositionReportPDF.render(report)))
    }

    /// The text line of the GRU table that starts with `number`.
    static func row(_ pages: [String], _ number: GRUNumber) throws -> String {
        try #require(pages.joined(separator: "\n").split(separator: "\n").first { $0.contains(number.value) && $0.contains("R$") }
            .map(String.init), "no table row for GRU \(number.value)")
    }

    @Test("amounts of open GRUs match DOMAIN §5 computed by hand; totals, memo and contacts present")
    func amounts() async throws {
        try await Fixture.with { fixture in
            try await fixture.apply(try Self.events())
            let (report, pages) = try await Self.report(fixture, asOf: "2026-03-31")
            let text = pages.joined(separator: "\n")
            let p = Events.date("2026-03-31")
            // Worked example of DOMAIN §5: R$ 10.000,00 due 16/03/2026 → 15 days, 4,95% = R$ 495,00, no juros.
            #expect(Hand.charges(principal: 1_000_000, due: Events.date("2026-03-16"), asOf: p)
                    == Hand.Result(multa: 49_500, juros: 0, total: 1_049_500))
            let expected: [(Int64, Int64, String)] = [
                (1, 1_000_000, "2026-03-16"), (2, 2_000_000, "2026-01-30"), (4, 300_000, "2025-12-31"), (5, 100_000, "2026-02-27"),
                (8, 250_000, "2025-04-30"),
            ]
            var total: Int64 = 0
            for (sequence, open, due) in expected {
                let hand = Hand.charges(principal: open, due: Events.date(due), asOf: p)
                let line = try Self.row(pages, Events.gruNumber(sequence))
                #expect(line.contains(Hand.brl(hand.multa)), "multa of GRU \(sequence): \(line)")
                #expect(line.contains(Hand.brl(hand.juros)), "juros of GRU \(sequence): \(line)")
                #expect(line.contains(Hand.brl(hand.total)), "total of GRU \(sequence): \(line)")
                total += hand.total
            }
            // GRU 2: 60 days → 19,80% = R$ 3.960,00; juros SELIC 02/2026 (1,00) + 1% = R$ 400,00.
            #expect(try Self.row(pages, Events.gruNumber(2)).contains("R$ 24.360,00"))
            // GRU 8 (dívida ativa): 335 days → multa capped at 20% = R$ 500,00; juros SELIC 05/2025-02/2026 (11,61) + 1%.
            #expect(try Self.row(pages, Events.gruNumber(8)).contains("R$ 3.315,25"))
            #expect(total == 4_298_065)
            let totalLine = try #require(text.split(separator: "\n").first { $0.contains("Total geral") })
            #expect(totalLine.contains(Hand.brl(total)))
            // The paid GRU has no acréscimos; the other operadora's GRU is absent.
            #expect(try Self.row(pages, Events.gruNumber(3)).contains("–"))
            #expect(try Self.row(pages, Events.gruNumber(6)).contains("–"))
            #expect(!text.contains(Events.gruNumber(99).value))
            #expect(report.lines.count == 7)
            for needle in ["Posição Financeira Atualizada", "Data de referência: 31/03/2026", "Gerado em",
                           "Totais por situação", "Memória de cálculo", "Lei 9.430/1996", "Suspensa judicialmente",
                           "ressarcimento@ans.gov.br", "pfans-i@ans.gov.br", "parcelamentosus@ans.gov.br",
                           "Inscrita em dívida ativa", "Parcelada", "Saúde Exemplo Assistência Médica Ltda.", "Página 1 de"] {
                #expect(text.contains(needle), "missing \(needle)")
            }
            #expect(!text.contains("PROVISÓRIO"))
        }
    }

    @Test("a report as of an earlier date shows each GRU as it stood then")
    func asOfEarlierDate() async throws {
        try await Fixture.with { fixture in
            try await fixture.apply(try Self.events())
            let (report, pages) = try await Self.report(fixture, asOf: "2026-03-10")
            // GRU 3 was paid on 20/03: on 10/03 it was still open, with acréscimos from 27/02.
            let hand = Hand.charges(principal: 700_000, due: Events.date("2026-02-27"), asOf: Events.date("2026-03-10"))
            #expect(try Self.row(pages, Events.gruNumber(3)).contains(Hand.brl(hand.total)))
            // GRU 1 was issued on 01/03 and is not yet due: no acréscimos.
            #expect(try Self.row(pages, Events.gruNumber(1)).contains("R$ 0,00"))
            #expect(report.lines.first { $0.position.number == Events.gruNumber(3).value }?.position.state == .emitida)
            let early = try await Self.report(fixture, asOf: "2026-01-20")
            #expect(early.0.lines.map(\.position.number).sorted()
                    == [2, 3, 4, 6, 8].map { Events.gruNumber(Int64($0)).value })
            // On 20/01/2026 GRU 6 was already parcelled (15/01) and GRU 8 in dívida ativa.
            #expect(early.0.lines.first { $0.position.number == Events.gruNumber(6).value }?.position.state == .parcelada)
        }
    }

    @Test("missing SELIC months: provisional and marked; exact once SelicRatesPublished arrives")
    func provisional() async throws {
        try await Fixture.with { fixture in
            let r = Self.registro
            try await fixture.apply([
                try Events.operadora(registro: r, root: Self.root, name: "Saúde Exemplo Assistência Médica Ltda."),
                try Events.gruIssued(Events.gruNumber(7), registro: r, principal: "20000,00", issuedOn: "2026-07-10", dueDate: "2026-07-31"),
            ])
            let (report, pages) = try await Self.report(fixture, asOf: "2026-10-15")
            let text = pages.joined(separator: "\n")
            #expect(report.isProvisional)
            #expect(text.contains("VALORES PROVISÓRIOS"))
            #expect(text.contains("08/2026") && text.contains("09/2026"))
            let missing = Hand.charges(principal: 2_000_000, due: Events.date("2026-07-31"), asOf: Events.date("2026-10-15"))
            #expect(try Self.row(pages, Events.gruNumber(7)).contains(Hand.brl(missing.total) + " *"))

            try await fixture.apply([try Events.envelope(SelicRatesPublished(version: "bcb-2026-10", rates: [
                SelicMonthRate(month: try YearMonth(parsing: "2026-08"), rate: Percent(basisPoints: 110)),
                SelicMonthRate(month: try YearMonth(parsing: "2026-09"), rate: Percent(basisPoints: 105)),
            ]))])
            let (updated, pagesAfter) = try await Self.report(fixture, asOf: "2026-10-15")
            let exact = Hand.charges(principal: 2_000_000, due: Events.date("2026-07-31"), asOf: Events.date("2026-10-15"),
                                     rates: ["2026-08": 110, "2026-09": 105])
            #expect(exact == Hand.Result(multa: 400_000, juros: 63_000, total: 2_463_000))
            #expect(!updated.isProvisional)
            let line = try Self.row(pagesAfter, Events.gruNumber(7))
            #expect(line.contains(Hand.brl(exact.total)) && !line.contains("*"))
            #expect(!pagesAfter.joined().contains("PROVISÓRIOS"))
        }
    }

    @Test("a long GRU table breaks across pages repeating its header, with page numbers")
    func pageBreaks() async throws {
        try await Fixture.with { fixture in
            let r = Self.registro
            var events = [try Events.operadora(registro: r, root: Self.root, name: "Saúde Exemplo Assistência Médica Ltda.")]
            for sequence in 100..<220 {
                events.append(try Events.gruIssued(Events.gruNumber(Int64(sequence)), registro: r, principal: "\(sequence),00",
                                                   issuedOn: "2026-01-05", dueDate: "2026-01-20"))
            }
            try await fixture.apply(events)
            let (report, pages) = try await Self.report(fixture, asOf: "2026-03-31")
            #expect(report.lines.count == 120)
            #expect(pages.count >= 3)
            // Pages holding rows of the GRU table (a line with a GRU number and an amount).
            let tablePages = pages.filter { page in
                page.split(separator: "\n").contains { $0.contains("2503400") && $0.contains("R$") }
            }
            #expect(tablePages.count >= 2)
            for (index, page) in pages.enumerated() {
                #expect(page.contains("Página \(index + 1) de \(pages.count)"))
                #expect(page.contains("Data de referência: 31/03/2026"))
            }
            for page in tablePages {
                let header = page.split(separator: "\n").first { $0.contains("Vencimento") && $0.contains("Valor original") }
                #expect(header?.contains("Total atualizado") == true, "table header repeated on every page of the table")
            }
            for sequence in 100..<220 {
                #expect(pages.joined().contains(Events.gruNumber(Int64(sequence)).value))
            }
        }
    }
}
