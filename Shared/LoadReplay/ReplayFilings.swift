import Foundation
import Models

/// The operadoras' filings of a generated load (`ressus carga gerar`, docs/load.md): which
/// notifications get an explicit ciência (`ciencias.csv`) and which atendimentos are impugned, with
/// the decision, recurso and recurso decision each gets (`impugnacoes.csv`). The replay submits
/// them to the deadlines service and reconciles what it decided against them.
public struct ReplayFilings: Sendable, Equatable {
    /// An explicit ciência of notification (`abi`, `registroANS`), `daysAfterAvailability` after it
    /// was made available (0 to 9: the tacit ciência comes at 10, RN 377/2015).
    public struct Ciencia: Sendable, Equatable {
        public var abi: Int
        public var registroANS: String
        public var daysAfterAvailability: Int
    }

    /// One impugnação, its first-instance decision and, for some indeferidas, a recurso and its decision.
    public struct Impugnacao: Sendable, Equatable {
        public var abi: Int
        public var registroANS: String
        public var document: String
        public var competencia: String
        /// `tecnico` or `administrativo`.
        public var grounds: String
        public var decision: DecisionResult
        /// The corrected value of a parcial decision.
        public var finalValue: Money?
        /// The recurso's decision; nil when no recurso is filed.
        public var recurso: DecisionResult?

        /// Annulled in the end: the impugnação or the recurso deferida.
        public var annulled: Bool { decision == .deferida || recurso == .deferida }
    }

    public var ciencias: [Ciencia]
    public var impugnacoes: [Impugnacao]

    public init(ciencias: [Ciencia], impugnacoes: [Impugnacao]) {
        self.ciencias = ciencias
        self.impugnacoes = impugnacoes
    }

    /// Parses the two files' text (header line first, as the generator writes them).
    public init(cienciasCSV: String, impugnacoesCSV: String) throws(ReplayFilingsError) {
        ciencias = []
        for (line, fields) in try Self.rows(cienciasCSV, file: "ciencias.csv", columns: 3) {
            guard let abi = Int(fields[0]), let days = Int(fields[2]), (0...9).contains(days) else {
                throw .invalidLine(file: "ciencias.csv", line: line)
            }
            ciencias.append(Ciencia(abi: abi, registroANS: fields[1], daysAfterAvailability: days))
        }
        impugnacoes = []
        for (line, f) in try Self.rows(impugnacoesCSV, file: "impugnacoes.csv", columns: 9) {
            let invalid = ReplayFilingsError.invalidLine(file: "impugnacoes.csv", line: line)
            guard let abi = Int(f[0]), let decision = DecisionResult(rawValue: f[5]) else { throw invalid }
            var value: Money?
            if decision == .parcialmenteDeferida {
                guard let parsed = try? Money(parsing: f[6]), parsed > .zero else { throw invalid }
                value = parsed
            }
            var recurso: DecisionResult?
            switch f[7] {
            case "sim":
                guard decision == .indeferida, let result = DecisionResult(rawValue: f[8]) else { throw invalid }
                recurso = result
            case "nao": break
            default: throw invalid
            }
            impugnacoes.append(Impugnacao(abi: abi, registroANS: f[1], document: f[2], competencia: f[3], grounds: f[4],
                                          decision: decision, finalValue: value, recurso: recurso))
        }
    }

    /// Reads `ciencias.csv` and `impugnacoes.csv` from `directory`.
    public init(directory: String, cienciasFile: String, impugnacoesFile: String) throws {
        func text(_ name: String) throws -> String {
            try String(contentsOfFile: name.hasPrefix("/") ? name : directory + "/" + name, encoding: .utf8)
        }
        try self.init(cienciasCSV: try text(cienciasFile), impugnacoesCSV: try text(impugnacoesFile))
    }

    /// The impugnações that go to recurso.
    public var recursos: [Impugnacao] { impugnacoes.filter { $0.recurso != nil } }

    /// Documents of the atendimentos annulled in the end.
    public var annulledDocuments: [String] { impugnacoes.filter(\.annulled).map(\.document) }

    /// Documents charged at a parcial decision's value (no recurso: only indeferidas go to recurso),
    /// with the sum of those values.
    public var parcial: (documents: [String], total: Money) {
        let rows = impugnacoes.filter { $0.decision == .parcialmenteDeferida }
        return (rows.map(\.document), Money.sum(rows.compactMap(\.finalValue)))
    }

    /// The data lines of `text` (after the header), split on commas, each with its 1-based line number.
    private static func rows(_ text: String, file: String, columns: Int) throws(ReplayFilingsError) -> [(Int, [String])] {
        var result: [(Int, [String])] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where index > 0 {
            if line.isEmpty { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == columns else { throw .invalidLine(file: file, line: index + 1) }
            result.append((index + 1, fields))
        }
        return result
    }
}

/// A line of a filings file that is not as the generator writes it.
public enum ReplayFilingsError: Error, Equatable, CustomStringConvertible {
    case invalidLine(file: String, line: Int)

    public var description: String {
        switch self {
        case .invalidLine(let file, let line): "\(file): linha \(line) inválida (gere a carga com `ressus carga gerar`)"
        }
    }
}
