import BenchmarkSupport
import DeadlinesCore
import Foundation
import IntakeCore
import Kafka
import Logging
import Models
import Postgres
import Runtime
import ServiceLifecycle

/// File → intake schema → Kafka → deadlines schema for one ABI, against `psql \copy` of the file.
final class IntakeBenchmark: @unchecked Sendable {
    static let abi = 57
    let databaseURL: String
    let atendimentos: Int
    let operadoras: Int
    let ressus: URL
    let suffix = "bench-" + UUID().uuidString.prefix(8).lowercased()
    var intakeSchema: String { "intake_" + suffix.replacingOccurrences(of: "-", with: "_") }
    var deadlinesSchema: String { "deadlines_" + suffix.replacingOccurrences(of: "-", with: "_") }
    var ceilingSchema: String { "ceiling_" + suffix.replacingOccurrences(of: "-", with: "_") }
    var topics: [String] { [Topics.operadoras.name, Topics.notifications.name].map { "\($0).\(suffix)" } + [deadlinesTopic] }
    var notificationsTopic: String { "\(Topics.notifications.name).\(suffix)" }
    var deadlinesTopic: String { "\(Topics.deadlines.name).\(suffix)" }
    let kafka: KafkaConfig
    let intakePool: PostgresPool
    let deadlinesPool: PostgresPool
    let directory: URL
    private var running: (group: ServiceGroup, task: Task<Void, any Error>)?
    let logger: Logger

    private init(databaseURL: String, brokers: String, atendimentos: Int, operadoras: Int, ressus: URL) throws {
        self.databaseURL = databaseURL
        self.atendimentos = atendimentos
        self.operadoras = operadoras
        self.ressus = ressus
        kafka = KafkaConfig(bootstrapServers: brokers, clientID: "intake-benchmark")
        var logger = Logger(label: "intake-benchmark")
        logger.logLevel = .warning
        self.logger = logger
        intakePool = PostgresPool(configuration: try PostgresConfiguration(
            connectionString: databaseURL, applicationName: "intake-benchmark", schema: "intake_" + suffix.replacingOccurrences(of: "-", with: "_")),
            options: .init(size: 4), logger: logger)
        deadlinesPool = PostgresPool(configuration: try PostgresConfiguration(
            connectionString: databaseURL, applicationName: "intake-benchmark", schema: "deadlines_" + suffix.replacingOccurrences(of: "-", with: "_")),
            options: .init(size: 4), logger: logger)
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("intake-benchmark-\(suffix)")
    }

    /// Creates and migrates the schemas, the topics and the working directory.
    static func make(databaseURL: String, brokers: String, atendimentos: Int, operadoras: Int, ressus: URL) async throws -> IntakeBenchmark {
        let benchmark = try IntakeBenchmark(databaseURL: databaseURL, brokers: brokers, atendimentos: atendimentos,
                                            operadoras: operadoras, ressus: ressus)
        try FileManager.default.createDirectory(at: benchmark.directory, withIntermediateDirectories: true)
        _ = try await PostgresMigrator(schema: benchmark.intakeSchema, migrations: try RuntimeMigrations.with(service: IntakeMigrations.all),
                                       logger: benchmark.logger).migrate(using: benchmark.intakePool)
        _ = try await PostgresMigrator(schema: benchmark.deadlinesSchema, migrations: try RuntimeMigrations.with(service: DeadlinesMigrations.all),
                                       logger: benchmark.logger).migrate(using: benchmark.deadlinesPool)
        // The intake writes `Topics.*` names into its outbox: keep this run on topics of its own.
        let suffix = benchmark.suffix
        try await benchmark.intakePool.withConnection { connection in
            try connection.executeScript("""
                CREATE FUNCTION private_topic() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN NEW.topic := NEW.topic || '.\(suffix)'; RETURN NEW; END $$;
                CREATE TRIGGER private_topic BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION private_topic();
                CREATE SCHEMA \(benchmark.ceilingSchema);
                CREATE TABLE \(benchmark.ceilingSchema).abi_rows (
                    abi integer NOT NULL, registro_ans text NOT NULL, tipo text NOT NULL, numero_documento text NOT NULL,
                    competencia text NOT NULL, codigo_beneficiario text NOT NULL, data_nascimento date NOT NULL,
                    data_inicio date NOT NULL, data_fim date NOT NULL, cnes text NOT NULL, procedimento text NOT NULL,
                    quantidade integer NOT NULL, valor_sus numeric(14, 2) NOT NULL
                );
                """)
        }
        try await KafkaAdmin(config: benchmark.kafka, logger: benchmark.logger)
            .createTopics(benchmark.topics.map { TopicSpec(name: $0, partitions: 6) })
        return benchmark
    }

    func run() async throws {
        report("intake benchmark: \(grouped(atendimentos)) atendimentos for \(grouped(operadoras)) operadoras, one ABI; "
               + "CLI \(ressus.path)")
        let files = try await seconds { try writeFiles() }
        let size = (try FileManager.default.attributesOfItem(atPath: abiFile.path)[.size] as? Int) ?? 0
        report(String(format: "  files written in %.1f s (ABI file %.0f MiB)", files, Double(size) / 1_048_576))

        let copy = try await seconds { try await psql("\\copy \(ceilingSchema).abi_rows FROM '\(abiFile.path)' WITH (FORMAT csv, HEADER true)") }
        let startup = try await seconds { try await psql("SELECT 1") }
        let copied = try await count("SELECT count(*) FROM \(ceilingSchema).abi_rows", intakePool)
        guard copied == Int64(atendimentos) else { throw BenchmarkFailure("psql loaded \(copied) rows, not \(atendimentos)") }
        let ceiling = Double(atendimentos) / copy
        report(String(format: "  psql \\copy of the file: %.1f s, %.0f atendimentos/s (%.0f/s without psql start-up)",
                      copy, ceiling, Double(atendimentos) / (copy - startup)))

        let registered = try await runProcess(ressus, ["operadoras", "importar", operadorasFile.path, "--esquema", intakeSchema])
        guard registered.status == 0 else { throw BenchmarkFailure("ressus operadoras importar: \(registered.output)\(registered.error)") }
        startServices()

        let start = ContinuousClock.now
        let imported = try await runProcess(ressus, ["abi", "importar", abiFile.path, "--esquema", intakeSchema, "--aguardar", "0", "--medir-memoria"])
        let importedAt = ContinuousClock.now
        guard imported.status == 0 else { throw BenchmarkFailure("ressus abi importar: \(imported.output)\(imported.error)") }
        let cliPeakKiB = imported.error.split(separator: "\n").first { $0.hasPrefix("memória máxima: ") }
            .flatMap { Int($0.dropFirst("memória máxima: ".count).prefix { $0.isNumber }) }
        let cliPeak = cliPeakKiB.map { String(format: "%.1f MiB", Double($0) / 1024) } ?? "?"
        report(String(format: "  ressus abi importar: %.1f s (%.0f atendimentos/s into the intake schema), CLI peak RSS ",
                      (importedAt - start).seconds, Double(atendimentos) / (importedAt - start).seconds) + cliPeak)

        var notifiedAt: ContinuousClock.Instant?
        var highestRSS = ProcessMemory.currentMiB
        var lastReport = ContinuousClock.now
        while true {
            let issued = try await pair("SELECT count(*) FILTER (WHERE state = 'issued'), count(*) FROM notifications", intakePool)
            let unsent = try await count("SELECT count(*) FROM outbox_unsent", intakePool)
            if notifiedAt == nil, issued.1 > 0, issued.0 == issued.1, unsent == 0 { notifiedAt = .now }
            let complete = try await pair("""
                SELECT count(*) FILTER (WHERE batch_count IS NOT NULL AND batches_received = batch_count), count(*) FROM notifications
                """, deadlinesPool)
            highestRSS = max(highestRSS, ProcessMemory.currentMiB)
            if complete.0 == min(atendimentos, operadoras) { break }
            if ContinuousClock.now - lastReport >= .seconds(10) {
                lastReport = .now
                report(String(format: "    %5.0f s: intake notifications issued %d/%d (outbox unsent %d); deadlines notifications complete %d/%d; RSS %.0f MiB",
                              (ContinuousClock.now - start).seconds, issued.0, issued.1, unsent, complete.0, complete.1, ProcessMemory.currentMiB))
            }
            if ContinuousClock.now - start > .seconds(3_600) { throw BenchmarkFailure("not done after an hour") }
            try await Task.sleep(for: .milliseconds(250))
        }
        let end = ContinuousClock.now
        try await stopServices()

        let applied = try await count("SELECT count(*) FROM atendimentos", deadlinesPool)
        let deadlinesTotal = try await count("SELECT sum(original_amount)::bigint FROM atendimentos", deadlinesPool)
        let intakeTotal = try await count("SELECT sum(amount)::bigint FROM atendimentos", intakePool)
        guard applied == Int64(atendimentos), deadlinesTotal == intakeTotal else {
            throw BenchmarkFailure("deadlines holds \(applied) atendimentos totalling \(deadlinesTotal), intake \(atendimentos) totalling \(intakeTotal)")
        }
        let elapsed = (end - start).seconds
        let rate = Double(atendimentos) / elapsed
        if let notifiedAt {
            report(String(format: "  notifications issued and published %.1f s after the start", (notifiedAt - start).seconds))
        }
        report(String(format: "  end to end (file -> intake schema -> Kafka -> deadlines schema): %.1f s, %.0f atendimentos/s",
                      elapsed, rate))
        report(String(format: "  ratio to psql \\copy: %.3f (target >= 0.35)", rate / ceiling))
        report(String(format: "  peak RSS: services (this process: intake + deadlines) %.1f MiB (VmHWM; highest sampled while running %.1f MiB), ",
                      ProcessMemory.peakMiB, highestRSS) + "CLI \(cliPeak) (target < 1024 MiB)")

        let floor = try await ReloadFloor.measure(databaseURL: databaseURL, schemas: [intakeSchema, deadlinesSchema], directory: directory)
        let floorRate = Double(atendimentos) / floor.seconds
        report(String(format: "  database floor (the %d rows the run left in %d tables of both schemas, reloaded by psql, one per schema, at once): "
                      + "%.1f s, %.0f atendimentos/s, ratio to psql \\copy %.3f; end to end / floor %.3f",
                      floor.rows, floor.tables, floor.seconds, floorRate, floorRate / ceiling, rate / floorRate))
        report("    slowest tables to reload: \(floor.slowestTables(4))")
    }

    // MARK: The services, as ServiceHost runs them

    private func startServices() {
        let clock = WallClock()
        let intakeScheduler = SchedulerWorker(database: intakePool, clock: clock, handlers: [NotifyABIHandler()],
                                              serviceName: "intake-benchmark", logger: logger)
        let settings = DeadlinesSettings(outputTopic: deadlinesTopic)
        let services: [any Service] = [
            OutboxRelay(service: "intake-benchmark", database: intakePool.configuration, kafka: kafka, logger: logger),
            intakeScheduler,
            InboxConsumer(name: "deadlines-\(suffix)", topics: [notificationsTopic], handler: NotificationIntakeHandler(settings: settings),
                          database: deadlinesPool, kafka: kafka, clock: clock, logger: logger),
            SchedulerWorker(database: deadlinesPool, clock: clock, handlers: DeadlinesCore.scheduledHandlers(settings: settings),
                            serviceName: "deadlines-benchmark", logger: logger),
            OutboxRelay(service: "deadlines-benchmark", database: deadlinesPool.configuration, kafka: kafka, logger: logger),
        ]
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [], logger: logger))
        running = (group, Task { try await group.run() })
    }

    private func stopServices() async throws {
        guard let running else { return }
        self.running = nil
        await running.group.triggerGracefulShutdown()
        try await running.task.value
    }

    func tearDown() async {
        try? await stopServices()
        for (pool, schemas) in [(intakePool, [intakeSchema, ceilingSchema]), (deadlinesPool, [deadlinesSchema])] {
            for schema in schemas {
                _ = try? await pool.withConnection { try $0.executeScript("DROP SCHEMA IF EXISTS \(schema) CASCADE") }
            }
            await pool.close()
        }
        try? await KafkaAdmin(config: kafka, logger: logger).deleteTopics(topics + ["\(notificationsTopic).DLT"])
        try? FileManager.default.removeItem(at: directory)
    }

    // MARK: Files

    var abiFile: URL { directory.appendingPathComponent("abi.csv") }
    var operadorasFile: URL { directory.appendingPathComponent("operadoras.csv") }

    func registro(_ index: Int) -> String { String(100_000 + index) }

    private func writeFiles() throws {
        var register = "registro_ans,cnpj,razao_social,email\n"
        for index in 0..<operadoras {
            let base = pad(10_000_000 + index, 8) + "0001"
            register += "\(registro(index)),\(base + (try CNPJ.checkDigits(for: base))),Operadora de Teste \(index),op\(index)@bench.example.com.br\n"
        }
        try Data(register.utf8).write(to: operadorasFile)

        _ = FileManager.default.createFile(atPath: abiFile.path, contents: nil)
        let handle = try FileHandle(forWritingTo: abiFile)
        defer { try? handle.close() }
        var chunk = "abi,registro_ans,tipo,numero_documento,competencia,codigo_beneficiario,data_nascimento,data_inicio,data_fim,"
            + "cnes,procedimento,quantidade,valor_sus\n"
        for index in 0..<atendimentos {
            let value = "\(10 + index % 4_990).\(pad(index % 100, 2))"
            chunk += "\(Self.abi),\(registro(index % operadoras)),\(index % 3 == 0 ? "APAC" : "AIH"),35\(pad(index, 11)),2025-10,"
                + "B\(index),1970-05-01,2025-10-03,2025-10-08,2077485,0303010037,1,\(value)\n"
            if index % 10_000 == 9_999 {
                try handle.write(contentsOf: Data(chunk.utf8))
                chunk = ""
            }
        }
        try handle.write(contentsOf: Data(chunk.utf8))
    }

    // MARK: Helpers

    private func psql(_ command: String) async throws {
        let result = try await runProcess(URL(fileURLWithPath: "/usr/bin/psql"), [databaseURL, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", command])
        guard result.status == 0 else { throw BenchmarkFailure("psql failed running \(command): \(result.error)") }
    }

    private func count(_ sql: String, _ pool: PostgresPool) async throws -> Int64 {
        try await pool.withConnection { try $0.query(sql)[0].decode(Int64?.self, at: 0) ?? 0 }
    }

    private func pair(_ sql: String, _ pool: PostgresPool) async throws -> (Int, Int) {
        try await pool.withConnection { connection in
            let row = try connection.query(sql)[0]
            return (try row.decode(Int.self, at: 0), try row.decode(Int.self, at: 1))
        }
    }
}

func pad(_ value: Int, _ width: Int) -> String {
    let text = String(value)
    return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
}

/// 1234567 → "1.234.567".
func grouped(_ value: Int) -> String {
    let digits = Array(String(value))
    var out = ""
    for (offset, digit) in digits.enumerated() {
        if offset > 0, (digits.count - offset) % 3 == 0 { out += "." }
        out.append(digit)
    }
    return out
}
