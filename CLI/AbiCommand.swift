import ArgumentParser
import Foundation
import IntakeCore
import Models
import Postgres
import Runtime

/// `ressus abi`: ABIs (Avisos de Beneficiários Identificados) received by the intake.
struct AbiCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "abi",
        abstract: "ABIs (Aviso de Beneficiários Identificados): importação de atendimentos.",
        subcommands: [Importar.self]
    )

    struct Importar: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "importar",
            abstract: "Importa os atendimentos de uma ABI de um arquivo CSV ou JSON e agenda a notificação.",
            discussion: """
                Colunas: abi (ou --abi), registro_ans, tipo, numero_documento, competencia, codigo_beneficiario, \
                data_nascimento, data_inicio, data_fim, cnes, procedimento, quantidade, valor_sus \
                (ver docs/intake-files.md). Linhas inválidas vão para o relatório de rejeição (linha, motivo); \
                as válidas são gravadas. Reimportar o mesmo arquivo não duplica nada. Depois da importação, \
                o serviço intake emite uma notificação (Ofício ABI) por operadora, disponível no dia útil corrente.
                """
        )

        @Argument(help: "Arquivo CSV ou JSON.")
        var arquivo: String

        @Option(name: .customLong("abi"), help: "Número da ABI (se o arquivo não tiver a coluna abi).")
        var abi: String?

        @Option(name: .customLong("relatorio"), help: "Relatório de rejeição (padrão: ARQUIVO.rejeitados.csv ao lado do arquivo).")
        var relatorio: String?

        @Option(name: .customLong("aguardar"), help: "Segundos de espera pela emissão das notificações pelo serviço (0: não esperar).")
        var aguardar: Int = 60

        @Flag(name: .customLong("medir-memoria"), help: .hidden)
        var medirMemoria = false

        @OptionGroup var alvo: IntakeTarget

        func run() async throws {
            try await reportingIntakeErrors {
                let requested = try abi.map { text in try parseOption(text, "--abi") { try ABINumber(parsing: $0) } }
                let file = URL(fileURLWithPath: arquivo)
                let report = relatorio.map { URL(fileURLWithPath: $0) }
                    ?? file.deletingPathExtension().appendingPathExtension("rejeitados.csv")
                let progress = ProgressDisplay()
                try await alvo.withPool { pool in
                    let summary = try await pool.withConnection { connection in
                        let summary = try ABIImporter().importFile(
                            file, abi: requested, reportURL: report, on: connection, progress: progress.update)
                        if summary.inserted + summary.existing > 0 {
                            // Due long ago: fires as soon as the service sees it, whatever its (simulated) clock.
                            _ = try connection.withTransaction {
                                try NotifyABIHandler.schedule(summary.abi, dueAt: Date(timeIntervalSince1970: 0), on: $0)
                                try ScheduledWork.wakeWorkers(on: $0)  // the intake notifies now, not at its next poll
                            }
                        }
                        return summary
                    }
                    progress.finish(summary.rowsRead)
                    print(Self.describe(summary))
                    if summary.inserted + summary.existing > 0 {
                        try await waitForNotifications(summary.abi, pool: pool)
                    }
                }
                if medirMemoria, let peak = peakResidentKiB() {
                    Console.error("memória máxima: \(peak) KiB")
                }
            }
        }

        static func describe(_ summary: ABIImporter.Summary) -> String {
            var text: String
            if summary.abiAlreadyReceived && summary.inserted == 0 {
                text = "\(summary.abi) já recebida: 0 atendimentos novos, \(grouped(summary.existing)) já existentes"
            } else {
                text = "\(summary.abi): \(grouped(summary.inserted)) atendimentos novos, \(grouped(summary.existing)) já existentes"
            }
            text += ", \(grouped(summary.rejected)) rejeitados (\(grouped(summary.rowsRead)) linhas lidas)."
            if let report = summary.reportURL {
                text += "\nRelatório de rejeição: \(report.path)"
            }
            return text
        }

        /// Waits (bounded by --aguardar) for the intake service to issue the ABI's notifications.
        func waitForNotifications(_ abi: ABINumber, pool: PostgresPool) async throws {
            guard aguardar > 0 else {
                print("Notificação da \(abi) agendada para o serviço intake.")
                return
            }
            let deadline = ContinuousClock.now + .seconds(aguardar)
            Console.error("Aguardando o serviço intake emitir as notificações da \(abi)...")
            while ContinuousClock.now < deadline {
                let state = try await pool.withConnection { connection in
                    try NotificationProgress.read(abi, on: connection)
                }
                if state.finished {
                    let date = state.availableOn.map { " disponíveis em \($0.brazilian)" } ?? ""
                    print("Notificações emitidas: \(grouped(state.issued)) operadoras,\(date).")
                    return
                }
                try await Task.sleep(for: .milliseconds(500))
            }
            Console.error("A notificação da \(abi) está agendada, mas o serviço intake ainda não a emitiu "
                + "(verifique se ressus-intake está em execução).")
        }
    }
}

/// Rows per second and count on standard error while a long file imports.
final class ProgressDisplay: @unchecked Sendable {
    private let start = ContinuousClock.now
    private var lastShown = ContinuousClock.now
    private var shown = false
    private var lastRows = 0
    private let terminal = isatty(STDERR_FILENO) == 1

    /// Called (on the import's thread) with the rows read so far.
    func update(_ rows: Int) {
        let now = ContinuousClock.now
        guard now - lastShown >= .seconds(terminal ? 1 : 5) else { return }
        lastShown = now
        shown = true
        lastRows = rows
        let line = "\(grouped(rows)) linhas lidas, \(grouped(rate(rows, now))) linhas/s"
        FileHandle.standardError.write(Data((terminal ? "\r\(line)   " : line + "\n").utf8))
    }

    func finish(_ rows: Int) {
        guard shown else { return }
        guard rows != lastRows else {
            if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
            return
        }
        let line = "\(grouped(rows)) linhas lidas, \(grouped(rate(rows, .now))) linhas/s"
        FileHandle.standardError.write(Data((terminal ? "\r\(line)   \n" : line + "\n").utf8))
    }

    private func rate(_ rows: Int, _ now: ContinuousClock.Instant) -> Int {
        let elapsed = now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return seconds > 0 ? Int(Double(rows) / seconds) : rows
    }
}
