import Foundation
import Models
import Postgres

/// An account of the chart the accounting export uses (documented in docs/fns.md), modelled on the
/// structure of the ANS standard chart of accounts (1 Ativo, 2 Passivo, 3 Receitas, 4 Despesas).
public struct LedgerAccount: Sendable, Hashable, Codable {
    public let code: String
    public let name: String

    /// Cash collected through GRUs, until transferred to the FNS.
    public static let cash = LedgerAccount(code: "1.1.2.1.01", name: "Disponível - arrecadação do ressarcimento ao SUS")
    /// Ressarcimento ao SUS charged and not yet received.
    public static let receivable = LedgerAccount(code: "1.2.3.1.01", name: "Créditos de ressarcimento ao SUS a receber")
    /// Revenue: the principal charged.
    public static let revenue = LedgerAccount(code: "3.1.9.1.01", name: "Receita de ressarcimento ao SUS")
    /// Revenue: multa de mora received (Lei 9.430/1996 art. 61).
    public static let multaRevenue = LedgerAccount(code: "3.1.9.1.02", name: "Multa de mora sobre ressarcimento ao SUS")
    /// Revenue: juros de mora received (Lei 9.430/1996 art. 61 §3).
    public static let jurosRevenue = LedgerAccount(code: "3.1.9.1.03", name: "Juros de mora sobre ressarcimento ao SUS")
    /// The transfer of the collected money to the Fundo Nacional de Saúde (Lei 9.656/1998 art. 32).
    public static let transferToFNS = LedgerAccount(code: "4.1.9.1.01", name: "Repasse ao Fundo Nacional de Saúde")

    /// The chart, in code order.
    public static let chart: [LedgerAccount] = [cash, receivable, revenue, multaRevenue, jurosRevenue, transferToFNS]
}

/// One line of a journal entry: a debit or a credit to an account.
public struct JournalLine: Sendable, Hashable, Codable {
    public let account: LedgerAccount
    public let debit: Money
    public let credit: Money
}

/// A journal entry for one event; debits equal credits.
public struct JournalEntry: Sendable, Hashable, Codable {
    /// What caused it.
    public enum Source: String, Sendable, Hashable, Codable {
        case charge = "cobranca"
        case payment = "pagamento"
        case repasse = "repasse"
    }

    public let id: String
    public let date: CivilDate
    public let source: Source
    /// The charge id, payment id or repasse id.
    public let reference: String
    public let lines: [JournalLine]

    public var debits: Money { Money.sum(lines.map(\.debit)) }
    public var credits: Money { Money.sum(lines.map(\.credit)) }
    public var balances: Bool { debits == credits }

    /// Charge recognised: the receivable against the revenue, for the principal charged.
    static func charge(id: String, on date: CivilDate, total: Money) -> JournalEntry {
        JournalEntry(id: "COB-\(id)", date: date, source: .charge, reference: id, lines: [
            JournalLine(account: .receivable, debit: total, credit: .zero),
            JournalLine(account: .revenue, debit: .zero, credit: total),
        ])
    }

    /// Payment received: cash for the total, the receivable settled for the principal, multa and
    /// juros recognised as revenue.
    static func payment(id: String, on date: CivilDate, amounts: ComponentAmounts) -> JournalEntry {
        var lines = [
            JournalLine(account: .cash, debit: amounts.total, credit: .zero),
            JournalLine(account: .receivable, debit: .zero, credit: amounts.principal),
        ]
        if amounts.multa != .zero { lines.append(JournalLine(account: .multaRevenue, debit: .zero, credit: amounts.multa)) }
        if amounts.juros != .zero { lines.append(JournalLine(account: .jurosRevenue, debit: .zero, credit: amounts.juros)) }
        return JournalEntry(id: "PAG-\(id)", date: date, source: .payment, reference: id, lines: lines)
    }

    /// Transfer to the FNS: the repasse against cash.
    static func repasse(id: String, on date: CivilDate, total: Money) -> JournalEntry {
        JournalEntry(id: "REP-\(id)", date: date, source: .repasse, reference: id, lines: [
            JournalLine(account: .transferToFNS, debit: total, credit: .zero),
            JournalLine(account: .cash, debit: .zero, credit: total),
        ])
    }
}

extension FNSReports {
    /// The journal entries of `month`: charges issued, payments settled (by payment date) and
    /// repasses made in it, in date order.
    public static func journal(month: YearMonth, on connection: PostgresConnection) throws -> [JournalEntry] {
        let bounds: [any PostgresEncodable] = [month.firstDay.postgres, month.lastDay.postgres]
        var entries: [JournalEntry] = []
        for row in try connection.query(chargesInMonth, bounds) {
            entries.append(.charge(id: try row.decode(String.self, at: 0), on: try row.civilDate(at: 1), total: try row.money(at: 2)))
        }
        for row in try connection.query(paymentsInMonth, bounds) {
            entries.append(.payment(id: try row.decode(String.self, at: 0), on: try row.civilDate(at: 1),
                                    amounts: try ComponentAmounts(row: row, from: 2)))
        }
        for row in try connection.query(repassesInMonth, bounds) {
            entries.append(.repasse(id: try row.decode(String.self, at: 0), on: try row.civilDate(at: 1), total: try row.money(at: 2)))
        }
        let order: [JournalEntry.Source: Int] = [.charge: 0, .payment: 1, .repasse: 2]
        return entries.sorted { ($0.date, order[$0.source]!, $0.id) < ($1.date, order[$1.source]!, $1.id) }
    }

    /// The journal as CSV (`;`-separated, decimal comma, UTF-8): one line per debit or credit.
    public static func journalCSV(_ entries: [JournalEntry]) -> String {
        var csv = "lancamento;data;origem;referencia;conta;descricao_conta;debito;credito\n"
        for entry in entries {
            for line in entry.lines {
                csv += [entry.id, entry.date.description, entry.source.rawValue, entry.reference, line.account.code,
                        line.account.name, line.debit.csvDecimal, line.credit.csvDecimal]
                    .map(CSVField.escape).joined(separator: ";") + "\n"
            }
        }
        return csv
    }

    static let chargesInMonth = PostgresStatement(
        "SELECT charge_id, issued_on, total FROM charges WHERE issued_on BETWEEN $1 AND $2 AND total > 0")
    static let paymentsInMonth = PostgresStatement("""
        SELECT payment_id, paid_on, principal, multa, juros, total FROM settlements WHERE paid_on BETWEEN $1 AND $2
        """)
    static let repassesInMonth = PostgresStatement(
        "SELECT repasse_id, transferred_on, total FROM repasses WHERE transferred_on BETWEEN $1 AND $2")
}

extension Money {
    /// Decimal comma without grouping, e.g. `1234,56` (Brazilian spreadsheets).
    public var csvDecimal: String { decimalString.replacingOccurrences(of: ".", with: ",") }
}

/// CSV quoting (RFC 4180 with `;` as separator).
enum CSVField {
    static func escape(_ field: String) -> String {
        guard field.contains(where: { $0 == ";" || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
