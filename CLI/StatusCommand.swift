import ArgumentParser
import DeadlinesCore
import Foundation
import Models
import Runtime

/// `ressus status`: counts per state of each service's schema (through the services' Core libraries).
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Mostra as contagens por estado de cada serviço.",
        discussion: "Por enquanto só o serviço de prazos (deadlines); a recepção (intake) ainda não expõe contagens."
    )

    @OptionGroup var banco: DatabaseOption

    @Option(name: .customLong("esquema-prazos"), help: .hidden)
    var esquemaPrazos: String = ServiceDescriptor.deadlines.schema

    func run() async throws {
        try await Console.reportingAsyncErrors {
            let pool = try banco.pool(schema: esquemaPrazos)
            do {
                let status = try await pool.withConnection { try DeadlinesStatus.read(on: $0) }
                print("Serviço de prazos (deadlines):")
                for line in status.description.split(separator: "\n") { print("  \(line)") }
                print("Recepção (intake): contagens ainda não disponíveis.")
            } catch {
                await pool.close()
                throw error
            }
            await pool.close()
        }
    }
}
