@testable import LoadReplay
import Models
import Testing

/// `ressus carga reproduzir` reads the load's `ciencias.csv` and `impugnacoes.csv` (as `carga gerar`
/// writes them) and derives what the deadlines service must end with.
@Suite struct ReplayFilingsTests {
    static let ciencias = """
        abi,registro_ans,dias_apos_disponibilizacao
        1,300001,0
        2,300002,9

        """
    static let impugnacoes = """
        abi,registro_ans,numero_documento,competencia,fundamento,decisao,valor_final,recurso,decisao_recurso
        1,300001,1000000000017,2025-01,tecnico,deferida,,nao,
        1,300001,1000000000025,2025-02,administrativo,parcial,512.30,nao,
        1,300002,1000000000033,2025-03,tecnico,parcial,7.05,nao,
        2,300001,1000000000041,2025-04,tecnico,indeferida,,sim,deferida
        2,300002,1000000000058,2025-05,tecnico,indeferida,,sim,indeferida
        2,300002,1000000000066,2025-06,administrativo,indeferida,,nao,

        """

    @Test func readsTheGeneratorsLayout() throws {
        let filings = try ReplayFilings(cienciasCSV: Self.ciencias, impugnacoesCSV: Self.impugnacoes)
        #expect(filings.ciencias == [.init(abi: 1, registroANS: "300001", daysAfterAvailability: 0),
                                     .init(abi: 2, registroANS: "300002", daysAfterAvailability: 9)])
        #expect(filings.impugnacoes.count == 6)
        #expect(filings.impugnacoes[1].decision == .parcialmenteDeferida)
        #expect(filings.impugnacoes[1].finalValue == Money(centavos: 51_230))
        #expect(filings.impugnacoes[1].competencia == "2025-02" && filings.impugnacoes[1].grounds == "administrativo")
        #expect(filings.impugnacoes[3].recurso == .deferida)
        #expect(filings.impugnacoes[5].recurso == nil)
    }

    @Test func derivesWhatMustBeAnnulledAndWhatIsChargedAtTheDecidedValue() throws {
        let filings = try ReplayFilings(cienciasCSV: Self.ciencias, impugnacoesCSV: Self.impugnacoes)
        // Annulled: the deferida and the indeferida whose recurso was deferido; not the recurso indeferido.
        #expect(filings.annulledDocuments == ["1000000000017", "1000000000041"])
        #expect(filings.recursos.map(\.document) == ["1000000000041", "1000000000058"])
        #expect(filings.parcial.documents == ["1000000000025", "1000000000033"])
        #expect(filings.parcial.total == Money(centavos: 51_230 + 705))
    }

    @Test func refusesLinesTheGeneratorDoesNotWrite() {
        let header = "abi,registro_ans,numero_documento,competencia,fundamento,decisao,valor_final,recurso,decisao_recurso\n"
        // A parcial without its value, a recurso against a deferida, a missing column, a ciência at 10 days.
        for line in ["1,300001,1000000000017,2025-01,tecnico,parcial,,nao,",
                     "1,300001,1000000000017,2025-01,tecnico,deferida,,sim,indeferida",
                     "1,300001,1000000000017,2025-01,tecnico,deferida,,nao"] {
            #expect(throws: ReplayFilingsError.invalidLine(file: "impugnacoes.csv", line: 2)) {
                try ReplayFilings(cienciasCSV: "abi,registro_ans,dias_apos_disponibilizacao\n", impugnacoesCSV: header + line)
            }
        }
        #expect(throws: ReplayFilingsError.invalidLine(file: "ciencias.csv", line: 3)) {
            try ReplayFilings(cienciasCSV: "abi,registro_ans,dias_apos_disponibilizacao\n1,300001,3\n1,300002,10\n",
                              impugnacoesCSV: header)
        }
    }
}
