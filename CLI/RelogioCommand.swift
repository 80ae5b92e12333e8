import ArgumentParser
import Foundation
import Kafka
import Logging
import Models
import Runtime

/// `ressus relogio`: the shared simulated business clock (services running with RESSUS_CLOCK=simulated).
struct RelogioCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relogio",
        abstract: "Mostra ou avança o relógio simulado compartilhado pelos serviços (RESSUS_CLOCK=simulated).",
        subcommands: [Mostrar.self, Avancar.self]
    )

    /// Options shared by the subcommands.
    struct Conexao: ParsableArguments {
        @OptionGroup var brokers: BrokerOption

        @Option(name: .customLong("topico"), help: .hidden)
        var topico: String = ClockTopic.name

        func kafka() throws -> KafkaConfig {
            try brokers.kafka(clientID: "ressus-relogio")
        }
    }

    struct Mostrar: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "mostrar", abstract: "Mostra o instante atual do relógio simulado (horário de Brasília).")

        @OptionGroup var conexao: Conexao

        func run() async throws {
            try await RelogioCommand.reportingErrors {
                let kafka = try conexao.kafka()
                let follower = try await ClockTopicFollower(
                    kafka: kafka, topic: conexao.topico, groupPrefix: "ressus-relogio", logger: RelogioCommand.logger)
                let events = try await follower.catchUp()
                await follower.close()
                let state = ClockState(events)
                if let latest = state.latest {
                    print("Relógio simulado: \(RelogioCommand.format(latest))")
                } else {
                    let start = try RelogioCommand.startInstant()
                    print("Relógio simulado: \(RelogioCommand.format(start)) (início; nenhum avanço publicado)")
                }
                for (service, ack) in state.latestAcknowledgements.sorted(by: { $0.key < $1.key }) {
                    print("  \(service): confirmou \(RelogioCommand.format(ack.instant)) (instância \(ack.instance))")
                }
            }
        }
    }

    struct Avancar: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "avancar",
            abstract: "Avança o relógio simulado de todos os serviços.",
            discussion: """
                --para AAAA-MM-DD avança até o início (00:00) desse dia; --para AAAA-MM-DDTHH:MM, até essa hora \
                (horário de Brasília). --dias N avança N dias a partir do instante atual. O relógio nunca volta.
                """
        )

        @Option(name: .customLong("para"), help: "Novo instante: AAAA-MM-DD ou AAAA-MM-DDTHH:MM (horário de Brasília).")
        var para: String?

        @Option(name: .customLong("dias"), help: "Avança N dias a partir do instante atual.")
        var dias: Int?

        @Option(name: .customLong("aguardar"), help: "Serviços cuja confirmação aguardar, separados por vírgula (ex.: deadlines,debt-calculator).")
        var aguardar: String?

        @Option(name: .customLong("tempo-limite"), help: "Segundos de espera pelas confirmações.")
        var tempoLimite: Int = 120

        @OptionGroup var conexao: Conexao

        func run() async throws {
            try await RelogioCommand.reportingErrors {
                let kafka = try conexao.kafka()
                let services = Set((aguardar ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                    .filter { !$0.isEmpty })
                guard tempoLimite > 0 else { throw OperatorError(message: "--tempo-limite deve ser positivo") }
                var watch = try BrokerWatch(kafka: kafka, logger: RelogioCommand.logger)
                _ = await watch.currentClusterID()  // the cluster the advance goes to
                var follower = try await makeFollower(kafka)
                do {
                    var state = ClockState(try await follower.catchUp())
                    let current = try state.latest ?? RelogioCommand.startInstant()
                    let target = try targetInstant(from: current)
                    guard target >= current else {
                        throw OperatorError(message: "o relógio nunca volta: \(RelogioCommand.format(target)) é anterior ao "
                            + "instante atual, \(RelogioCommand.format(current))")
                    }
                    try await ClockTopic.publishAdvance(
                        to: target, kafka: kafka, topic: conexao.topico, source: "ressus/relogio", logger: RelogioCommand.logger)
                    Console.progress("Relógio avançado para \(RelogioCommand.format(target)).")
                    if !services.isEmpty {
                        try await waitForAcknowledgements(
                            of: target, from: services, kafka: kafka, follower: &follower, state: &state, watch: &watch)
                    }
                } catch {
                    await follower.close()
                    throw error
                }
                await follower.close()
            }
        }

        private func targetInstant(from current: Date) throws -> Date {
            switch (para, dias) {
            case (let text?, nil):
                return try RelogioCommand.parseInstant(text)
            case (nil, let days?):
                guard days > 0 else { throw OperatorError(message: "--dias deve ser positivo") }
                return BusinessTimeZone.calendar.date(byAdding: .day, value: days, to: current)!
            case (nil, nil):
                throw OperatorError(message: "informe --para ou --dias")
            case (.some, .some):
                throw OperatorError(message: "informe --para ou --dias, não ambos")
            }
        }

        private func makeFollower(_ kafka: KafkaConfig) async throws -> ClockTopicFollower {
            try await ClockTopicFollower(
                kafka: kafka, topic: conexao.topico, groupPrefix: "ressus-relogio", logger: RelogioCommand.logger)
        }

        /// Waits for each service's acknowledgement of `target`. If the broker loses its data
        /// meanwhile (new cluster id), the advance is gone with it: reads the new clock topic (where
        /// the services put their instants back) and publishes the advance again.
        private func waitForAcknowledgements(
            of target: Date, from services: Set<String>, kafka: KafkaConfig,
            follower: inout ClockTopicFollower, state: inout ClockState, watch: inout BrokerWatch
        ) async throws {
            var missing = services
            func take(_ acks: [ClockAcknowledged]) {
                for ack in acks where ack.instant >= target && missing.contains(ack.service) {
                    missing.remove(ack.service)
                    Console.progress("  ✓ \(ack.service) confirmou (instância \(ack.instance))")
                }
            }
            Console.progress("Aguardando confirmação de: \(services.sorted().joined(separator: ", ")) (tempo limite: \(tempoLimite) s)")
            take(state.acknowledgements)
            let deadline = ContinuousClock.now + .seconds(tempoLimite)
            var nextReport = ContinuousClock.now + .seconds(10)
            while !missing.isEmpty {
                if ContinuousClock.now > deadline {
                    throw OperatorError(message: "tempo esgotado após \(tempoLimite) s; sem confirmação de: "
                        + missing.sorted().joined(separator: ", "))
                }
                if ContinuousClock.now > nextReport {
                    Console.progress("  … ainda aguardando: \(missing.sorted().joined(separator: ", "))")
                    nextReport = ContinuousClock.now + .seconds(10)
                }
                if await watch.brokerReplaced() {
                    Console.progress("  ! o broker perdeu os dados (novo cluster): publicando de novo o avanço para "
                        + RelogioCommand.format(target))
                    await follower.close()
                    follower = try await makeFollower(kafka)
                    state = ClockState(try await follower.catchUp())
                    take(state.acknowledgements)
                    try await ClockTopic.publishAdvance(
                        to: target, kafka: kafka, topic: conexao.topico, source: "ressus/relogio", logger: RelogioCommand.logger)
                    continue
                }
                let events = try await follower.poll(timeout: .milliseconds(500))
                state.add(events)
                take(events.compactMap { if case .acknowledged(let ack) = $0 { ack } else { nil } })
            }
            print("Todos os serviços confirmaram \(RelogioCommand.format(target)).")
        }
    }

    /// Kafka client logs stay quiet unless something is wrong.
    static var logger: Logger {
        var logger = Logger(label: "ressus.relogio")
        logger.logLevel = .warning
        return logger
    }

    /// Where services start their simulated clock (RESSUS_CLOCK_START, as they read it).
    static func startInstant() throws -> Date {
        do {
            return try ClockMode.simulatedStart(ProcessInfo.processInfo.environment["RESSUS_CLOCK_START"])
        } catch let error as ConfigurationError {
            throw OperatorError(message: "\(error.variable) inválido: \(error.problem)")
        }
    }

    /// `AAAA-MM-DD` (00:00) or `AAAA-MM-DDTHH:MM`, Brasília time.
    static func parseInstant(_ text: String) throws -> Date {
        if text.count == 10, let date = try? CivilDate(parsing: text) {
            return BusinessTimeZone.startOfDay(date)
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = BusinessTimeZone.zone
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm"
        guard let instant = formatter.date(from: text), formatter.string(from: instant) == text else {
            throw OperatorError(message: "--para deve ser AAAA-MM-DD ou AAAA-MM-DDTHH:MM, recebido '\(text)'")
        }
        return instant
    }

    /// "16/03/2026 09:00 (horário de Brasília)".
    static func format(_ instant: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "pt_BR")
        formatter.timeZone = BusinessTimeZone.zone
        formatter.dateFormat = "dd/MM/yyyy HH:mm"
        return formatter.string(from: instant) + " (horário de Brasília)"
    }

    /// Runs `body`, turning operator errors into a Portuguese message and exit status 1, and other
    /// failures (broker unreachable, …) into a Portuguese message too.
    static func reportingErrors(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as OperatorError {
            Console.error("erro: \(error.message)")
            throw ExitCode(error.exitCode)
        } catch let error as ExitCode {
            throw error
        } catch {
            Console.error("erro: falha ao acessar o relógio compartilhado: \(error)")
            throw ExitCode(1)
        }
    }
}

/// What the clock topic says: the latest instant and the acknowledgements.
struct ClockState {
    private(set) var latest: Date?
    private(set) var acknowledgements: [ClockAcknowledged] = []

    init(_ events: [ClockEvent]) { add(events) }

    mutating func add(_ events: [ClockEvent]) {
        for event in events {
            switch event {
            case .advanced(let advance): latest = max(latest ?? advance.instant, advance.instant)
            case .acknowledged(let ack): acknowledgements.append(ack)
            }
        }
    }

    /// Per service, the acknowledgement of the latest instant.
    var latestAcknowledgements: [String: ClockAcknowledged] {
        var result: [String: ClockAcknowledged] = [:]
        for ack in acknowledgements where ack.instant >= (result[ack.service]?.instant ?? .distantPast) {
            result[ack.service] = ack
        }
        return result
    }
}
