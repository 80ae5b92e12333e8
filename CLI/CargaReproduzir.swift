import ArgumentParser
import Foundation
import LoadGeneration
import LoadReplay
import Models
import Postgres
import Runtime

/// `ressus carga reproduzir --dados DIR`: replays a generated load through the running stack under
/// the simulated clock and measures it (see docs/load.md).
struct CargaReproduzir: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reproduzir",
        abstract: "Reproduz uma carga gerada pelos cinco serviços em execução e mede vazão, latência e memória.",
        discussion: """
            Requer os cinco serviços com RESSUS_CLOCK=simulated num banco e broker próprios (deploy/local/carga.sh \
            prepara tudo). Importa operadoras e ABIs de DIR (ressus carga gerar), registra as ciências expressas \
            e as impugnações da carga (ciencias.csv, impugnacoes.csv), avança o relógio pela ciência tácita e pelo \
            fim do prazo de impugnação até as GRUs aparecerem no portal, decide as impugnações e os recursos, paga \
            parte das GRUs em dia, em parte e com atraso, avança até o repasse ao FNS e concilia. Mostra o progresso a cada segundo; grava resultado.json e \
            resultado.svg em --resultados. Mede também o teto: psql \\copy das mesmas linhas. Sai com status 1 \
            se a conciliação divergir. Com --taxa, as importações de ABIs seguem a taxa alvo (a unidade é o arquivo \
            de ABI: para uma taxa mais fina, gere mais ABIs com `ressus carga gerar --abis N`); com --ondas, os \
            arquivos são importados em N ondas, a cada --intervalo-ondas segundos no mínimo.
            """)

    @Option(help: "Diretório de uma carga gerada por `ressus carga gerar`.")
    var dados: String
    @Option(help: "Diretório onde gravar resultado.json, resultado.svg e os arquivos intermediários.")
    var resultados: String = "benchmark-results/carga"
    @Option(name: .customLong("servicos-pid"), help: "Diretório com os arquivos <serviço>.pid (memória máxima por serviço).")
    var servicosPID: String?
    @Option(help: "Data inicial do relógio simulado, AAAA-MM-DD (padrão: dia 5 do segundo mês após a última competência).")
    var inicio: String?
    @Option(name: .customLong("pagos-em-dia"), help: "GRUs pagas em dia, por mil (padrão: o perfil da carga).")
    var pagosEmDia: Int?
    @Option(name: .customLong("pagos-em-atraso"), help: "GRUs pagas com atraso (com acréscimos), por mil (padrão: o perfil da carga).")
    var pagosEmAtraso: Int?
    @Option(name: .customLong("pagos-em-parte"), help: "GRUs pagas em parte (metade do devido), por mil (padrão: o perfil da carga).")
    var pagosEmParte: Int?
    @Option(name: .customLong("tempo-limite"), help: "Segundos máximos de cada etapa.")
    var tempoLimite: Int = 900
    @Option(help: "Taxa alvo de importação, em atendimentos por segundo (padrão: o mais rápido possível).")
    var taxa: Int?
    @Option(help: "Número de ondas em que os arquivos de ABI são importados.")
    var ondas: Int = 1
    @Option(name: .customLong("intervalo-ondas"), help: "Segundos mínimos entre o início de ondas consecutivas.")
    var intervaloOndas: Int = 0
    @OptionGroup var banco: DatabaseOption
    @OptionGroup var broker: BrokerOption

    func run() async throws {
        try await Console.reportingAsyncErrors {
            let manifest = try loadManifest()
            let results = URL(fileURLWithPath: resultados)
            try FileManager.default.createDirectory(at: results, withIntermediateDirectories: true)
            let replay = try Replay(command: self, manifest: manifest, results: results)
            let result = try await replay.run()
            try result.json().write(to: results.appendingPathComponent("resultado.json"))
            try Data(ReplayChart.svg(result).utf8).write(to: results.appendingPathComponent("resultado.svg"))
            print(result.summary)
            print("\nResultados: \(results.appendingPathComponent("resultado.json").path), \(results.appendingPathComponent("resultado.svg").path)")
            if !result.reconciliation.ok { throw ExitCode(1) }
        }
    }

    private func loadManifest() throws -> LoadManifest {
        let path = URL(fileURLWithPath: dados).appendingPathComponent("carga.json")
        guard let data = FileManager.default.contents(atPath: path.path) else {
            throw OperatorError(message: "manifesto \(path.path) não encontrado (gere a carga com `ressus carga gerar --saida \(dados)`)")
        }
        do { return try JSONDecoder().decode(LoadManifest.self, from: data) } catch {
            throw OperatorError(message: "manifesto \(path.path) ilegível: \(error)")
        }
    }
}

/// One replay run: the stages in order, sampling the services between and during them.
final class Replay {
    let command: CargaReproduzir
    let manifest: LoadManifest
    let results: URL
    let databaseURL: String
    let pool: PostgresPool
    /// Search path `deadlines`: its request desk (`requests`).
    let deadlinesPool: PostgresPool
    /// Search path `debt_calculator`: its SELIC table.
    let debtPool: PostgresPool
    /// The load's ciências, impugnações and recursos.
    let filings: ReplayFilings
    let paymentPlan: ReplayPaymentPlan
    /// Every payment sent, for the reconciliation.
    var payments: [ReplayPaymentPlan.Payment] = []
    /// The parcelamentos asked for, and the payments of their first installments.
    var parcelamentos: [ReplayParcelamento] = []
    var installmentPayments: [ReplayReconciliation.InstallmentPayment] = []
    let probe = ReplayProbe()
    /// The consumers' lag from the broker (nil without `--brokers`: the exact counts every sample).
    let consumerLag: ReplayConsumerLag?
    let schedule: ReplaySchedule
    let started = Date()
    /// Samples with the stage counts read then (those in between reuse them, ``ReplayProbeBudget``).
    var samples: [ReplayResult.Sample] = []
    /// The cost of the stage counts and of the exact backlog counts.
    var stageCountBudget = ReplayProbeBudget(), exactCheckBudget = ReplayProbeBudget()
    /// When ``sample(while:)`` takes its next progress sample.
    var nextSampleDue = ContinuousClock.now
    /// Progress samples while commands run: at most one per interval.
    static let sampleInterval: Duration = .seconds(1)
    var stages: [ReplayResult.Stage] = []
    var today: CivilDate

    init(command: CargaReproduzir, manifest: LoadManifest, results: URL) throws {
        self.command = command
        self.manifest = manifest
        self.results = results
        databaseURL = try command.banco.url()
        pool = try command.banco.pool(schema: "public")
        deadlinesPool = try command.banco.pool(schema: ServiceDescriptor.deadlines.schema, of: .deadlines)
        debtPool = try command.banco.pool(schema: ServiceDescriptor.debtCalculator.schema, of: .debtCalculator)
        // Without a broker address the progress counts the backlog in the database, as before.
        consumerLag = (try? command.broker.kafka(clientID: "ressus-carga")).flatMap { try? ReplayConsumerLag(kafka: $0) }
        do {
            filings = try ReplayFilings(directory: command.dados, cienciasFile: manifest.cienciasFile,
                                        impugnacoesFile: manifest.impugnacoesFile)
        } catch {
            throw OperatorError(message: "arquivos de ciências e impugnações da carga: \(error)")
        }
        let plan = Replay.paymentPlan(command, manifest.profile)
        guard plan.onTimePerMille >= 0, plan.latePerMille >= 0, plan.partialPerMille >= 0,
              plan.onTimePerMille + plan.latePerMille + plan.partialPerMille <= 1000 else {
            throw OperatorError(message: "--pagos-em-dia, --pagos-em-atraso e --pagos-em-parte: por mil, somando no máximo 1000")
        }
        paymentPlan = plan
        do {
            schedule = try ReplaySchedule(sizes: manifest.abiFiles.map(\.atendimentos), waves: command.ondas, rate: command.taxa)
        } catch {
            throw OperatorError(message: error.description)
        }
        guard command.intervaloOndas >= 0 else { throw OperatorError(message: "--intervalo-ondas não pode ser negativo") }
        let lastMonth = manifest.abiFiles.flatMap(\.competencias).max() ?? manifest.profile.firstQuarter
        today = try command.inicio.map { try parseOption($0, "--inicio") { try CivilDate(parsing: $0) } }
            ?? lastMonth.adding(months: 2).firstDay.adding(days: 4)
    }

    func run() async throws -> ReplayResult {
        let atendimentos = manifest.atendimentos
        log("Reprodução de \(grouped(atendimentos)) atendimentos de \(grouped(manifest.profile.operadoras)) operadoras; relógio em \(today)")
        let ceiling = try measureCeiling()
        try await advanceClock(to: today)
        try await cli(["operadoras", "importar", path(manifest.operadorasFile)], log: "operadoras")

        // 1. Files → intake → notification events → deadlines.
        let importStart = Date()
        try await importABIs(from: importStart)
        stages.append(.init(name: "importação (arquivos → intake)", seconds: since(importStart), items: atendimentos))
        try await sample(until: "notificações registradas pelo deadlines") { $0.notified >= atendimentos && $0.idle }
        stages.append(.init(name: "notificação (arquivos → deadlines)", seconds: since(importStart), items: atendimentos))

        // 2. Explicit ciências (ciencias.csv), then tacit ciência (10 days, RN 377/2015), then the
        // impugnações (impugnacoes.csv) within the 30-day window; when it closes the rest is chargeable
        // → GRUs → portal.
        let filingsStart = Date()
        try await registerExplicitCiencias()
        let available = try await scalarDate("SELECT max(available_on) FROM deadlines.notifications")
        today = max(today, available.adding(days: RulesPolicy.standard.tacitCienciaDays + 1))
        try await advanceClock(to: today)
        try await sample(until: "ciência tácita") { $0.idle }
        try await fileImpugnacoes()
        stages.append(.init(name: "ciências e impugnações (pedidos → deadlines)", seconds: since(filingsStart),
                            items: filings.ciencias.count + filings.impugnacoes.count))
        today = try await scalarDate("SELECT max(window_end) FROM deadlines.notifications").adding(days: 1)
        let windowClosed = Date()
        try await advanceClock(to: today)
        let notImpugned = atendimentos - filings.impugnacoes.count
        try await sample(until: "GRUs emitidas e visíveis no portal") {
            $0.released >= notImpugned && $0.grusIssued > 0 && $0.grusVisible >= $0.grusIssued && $0.idle
        }
        let grus = samples.last?.counts.grusIssued ?? 0, closingVisible = Date()
        stages.append(.init(name: "prazo encerrado → GRUs no portal", seconds: since(windowClosed), items: grus))
        let endToEnd = ReplayResult.Stage(name: "ponta a ponta", seconds: since(importStart), items: atendimentos)

        // 3. Payments of those GRUs (on time and in part), then the decisions, the recursos and theirs
        // (impugnacoes.csv) until every atendimento is final, payments of the new GRUs, late payments
        // with the acréscimos 10 days after the last of their due dates.
        var paymentSeconds = 0.0
        func paying(_ kinds: Set<ReplayPaymentPlan.Kind>) async throws {
            let start = Date()
            payments += try await pay(kinds)
            try await sample(until: "pagamentos aplicados") { $0.idle }
            paymentSeconds += since(start)
        }
        try await paying([.onTime, .partial])
        if !filings.impugnacoes.isEmpty {
            let decisionsStart = Date()
            try await decideImpugnacoes()
            // The decisions' tacit ciência (10 days): deferidas are final, the others open the recurso window.
            today = today.adding(days: RulesPolicy.standard.tacitCienciaDays + 1)
            try await advanceClock(to: today)
            try await sample(until: "ciência das decisões") { $0.idle }
            if !filings.recursos.isEmpty {
                try await fileRecursos()
                today = today.adding(days: 1)
                try await advanceClock(to: today)
                try await decideRecursos()
            }
            // Final: the recurso decisions' tacit ciência and the end of the recurso windows not used.
            let windowsEnd = try await scalarDate("""
                SELECT coalesce(max(recurso_window_end), DATE '2000-01-01') FROM deadlines.decisions
                """).adding(days: 1)
            today = max(today.adding(days: RulesPolicy.standard.tacitCienciaDays + 1), windowsEnd)
            try await advanceClock(to: today)
            try await sample(until: "decisões definitivas → GRUs no portal") {
                $0.released >= atendimentos && $0.grusVisible >= $0.grusIssued && $0.idle
            }
            stages.append(.init(name: "decisões e recursos (pedidos → GRUs no portal)", seconds: since(decisionsStart),
                                items: filings.impugnacoes.count + 2 * filings.recursos.count))
            try await paying([.onTime, .partial])
        }
        if let lastDue = try await unpaidGRUs().filter({ paymentPlan.kind(bucket: $0.bucket) == .late }).map(\.dueDate).max() {
            today = max(today, lastDue.adding(days: 10))
            try await advanceClock(to: today)
            try await sample(until: "relógio após os vencimentos") { $0.idle }
            try await paying([.late])
        }
        // Parcelamentos of the largest unpaid debts (the profile's count), granted by paying the first installment.
        let parcelStart = Date()
        try await parcel()
        paymentSeconds += since(parcelStart)
        stages.append(.init(name: "pagamentos (arquivo → FNS)", seconds: paymentSeconds,
                            items: payments.count + installmentPayments.count))

        // 4. Collection: the clock past the CADIN date of every GRU not paid in full (charge notification
        // + 75 days), then to the repasse (by the last business day of the month after the payments').
        let collection = ReplayCollection()
        if let cadinDay = collection.everyUnpaidInCadin(try await chargeGRUs(), settled: settledGRUs), cadinDay > today {
            today = cadinDay
            try await advanceClock(to: today)
            try await sample(until: "CADIN") { $0.idle }
        }
        today = today.yearMonth.adding(months: 2).firstDay.adding(days: 1)
        try await advanceClock(to: today)
        try await sample(until: "repasse ao FNS") { $0.idle }
        let collected = collection.expected(try await chargeGRUs(), settled: settledGRUs, on: today)

        // 5. Figures.
        let expected = ReplayReconciliation.Expectations(
            atendimentos: atendimentos, filings: filings, payments: payments, parcelamentos: parcelamentos,
            installmentPayments: installmentPayments, cadin: collected.cadin, dividaAtiva: collected.dividaAtiva)
        let (reconciliation, latencies) = try await pool.withConnection { connection in
            let latencies = ReplayLatencies()
            return (try ReplayReconciliation.read(expected: expected, on: connection), [
                try latencies.abiToNotification(on: connection),
                try latencies.notificationToDeadlines(on: connection),
                try latencies.gruToPortal(on: connection),
                try latencies.windowClosedToPortal(since: windowClosed, until: closingVisible, on: connection),
            ])
        }
        let memory = command.servicosPID.map { ServiceMemory.peakKiB(pidDirectory: $0) } ?? [:]
        var result = ReplayResult(
            atendimentos: atendimentos, operadoras: manifest.profile.operadoras, startedAt: started, stages: stages,
            endToEnd: endToEnd, ceiling: ceiling, latencies: latencies, peakMemoryKiB: memory,
            reconciliation: reconciliation, samples: samples, machine: Self.machine())
        result.plan = .init(waves: schedule.waves, targetRate: command.taxa, waveInterval: command.intervaloOndas)
        return result
    }

    /// Imports the ABI files as `schedule` plans them: each wave starts `--intervalo-ondas` seconds
    /// after the previous one at the earliest (and never before the previous wave's imports end);
    /// within a wave a file waits until its offset (the `--taxa` pacing).
    func importABIs(from start: Date) async throws {
        var waveStart = start, currentWave = -1
        for entry in schedule.entries {
            if entry.wave != currentWave {
                currentWave = entry.wave
                let earliest = start.addingTimeInterval(Double(entry.wave * command.intervaloOndas))
                waveStart = max(Date(), earliest)
                if schedule.waves > 1 { log("Onda \(entry.wave + 1) de \(schedule.waves)") }
            }
            try await wait(until: waveStart.addingTimeInterval(entry.offset))
            let file = manifest.abiFiles[entry.file]
            let report = results.appendingPathComponent("abi-\(file.abi).rejeitados.csv").path
            try await cli(["abi", "importar", path(file.file), "--aguardar", "0", "--relatorio", report], log: "abi-\(file.abi)")
        }
    }

    /// Sleeps until `date`, sampling progress once a second meanwhile.
    func wait(until date: Date) async throws {
        try await sample(while: { Date() < date })
    }

    /// Takes a progress sample about once a second while `busy` holds, checking it every 20 ms, so
    /// the replay goes on as soon as it stops holding (not at the next sample). The second is
    /// counted from the last sample of any wait: back-to-back short commands (a year's 400 ABI
    /// imports) sampled at each start, 3-4 times a second, each sample a lag query to the broker.
    func sample(while busy: () -> Bool) async throws {
        while busy() {
            if ContinuousClock.now >= nextSampleDue { await takeSample() }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    // MARK: Stages

    /// `psql \copy` of every ABI file into a plain table of text columns, in a scratch schema.
    func measureCeiling() throws -> ReplayResult.Stage {
        log("Teto: psql \\copy das mesmas linhas...")
        // The same columns as the files' header line.
        guard let first = manifest.abiFiles.first, let handle = FileHandle(forReadingAtPath: path(first.file)),
              let header = String(decoding: try handle.read(upToCount: 4096) ?? Data(), as: UTF8.self)
                .split(separator: "\n").first else {
            throw OperatorError(message: "a carga não tem arquivos de ABI")
        }
        let columns = header.split(separator: ",").enumerated().map { "c\($0.offset) text" }.joined(separator: ", ")
        var script = "DROP SCHEMA IF EXISTS carga_teto CASCADE; CREATE SCHEMA carga_teto; CREATE TABLE carga_teto.atendimentos (\(columns));\n"
        try runPsql(script)
        script = manifest.abiFiles.map {
            "\\copy carga_teto.atendimentos FROM '\(path($0.file))' WITH (FORMAT csv, HEADER true)"
        }.joined(separator: "\n")
        let start = Date()
        try runPsql(script + "\n")
        let seconds = since(start)
        try runPsql("DROP SCHEMA carga_teto CASCADE;")
        log(String(format: "  %.1f s", seconds))
        return .init(name: "teto (psql \\copy)", seconds: seconds, items: manifest.atendimentos)
    }

    // MARK: Sampling

    /// Samples the services about once a second, printing progress, until `done` holds; fails after
    /// --tempo-limite or when an event is dead-lettered. The backlog of a sample is the consumers'
    /// lag on the broker; when `done` holds with it, and every ``exactCheckInterval`` seconds (in
    /// case a commit is late), the unconsumed and dead-lettered events are counted exactly in the
    /// database, and that count decides.
    func sample(until stage: String, _ done: (ReplayProbe.Snapshot) -> Bool) async throws {
        let deadline = Date().addingTimeInterval(TimeInterval(command.tempoLimite))
        exactCheckBudget.record(start: since(started), cost: 0)
        while true {
            var snapshot = await takeSample()
            var exact = consumerLag == nil
            if !exact, let fromLag = snapshot,
               done(fromLag) || exactCheckBudget.allows(at: since(started), minimumInterval: Self.exactCheckInterval) {
                let start = since(started)
                snapshot = await takeSample(exact: true)
                exactCheckBudget.record(start: start, cost: since(started) - start)
                exact = true
            }
            if let snapshot, snapshot.deadLettered > 0 {
                throw OperatorError(message: "\(snapshot.deadLettered) evento(s) em dead letter (ressus dlt listar)")
            }
            if exact, let snapshot, done(snapshot) { return }
            guard Date() < deadline else {
                throw OperatorError(message: "etapa \"\(stage)\" não concluiu em \(command.tempoLimite) s")
            }
            try await Task.sleep(for: .seconds(1))
        }
    }

    /// Seconds between exact backlog counts while the broker's lag says a stage is not done (at
    /// least; longer when they cost more than ``ReplayProbeBudget/share``).
    static let exactCheckInterval = 15.0

    /// Takes, records and prints one sample; nil (logged) while the database is unreachable, e.g.
    /// restarting: the replay waits for it as the services do. Its backlog is the broker's consumer
    /// lag, or (`exact`, or without a broker, or when the broker does not answer) the exact count.
    /// The stage counts are read when `exact`, when the lag shows every consumer caught up (a stage
    /// may have ended) or when ``ReplayProbeBudget`` allows; otherwise the last ones are shown.
    @discardableResult
    func takeSample(exact: Bool = false) async -> ReplayProbe.Snapshot? {
        nextSampleDue = ContinuousClock.now + Self.sampleInterval
        let probe = self.probe
        var snapshot: ReplayProbe.Snapshot
        let lag = exact ? nil : try? await consumerLag?.backlog()
        let start = since(started)
        let previous = samples.last
        let counting = previous == nil
            || lag.map { lag in lag.values.allSatisfy { $0 == 0 } || stageCountBudget.allows(at: start) } ?? true
        do {
            snapshot = try await pool.withConnection {
                try probe.snapshot(on: $0, scanningInboxes: lag == nil, countingStages: counting, stages: previous?.counts)
            }
        } catch {
            log(String(format: "[%6.1f s]", since(started)) + " banco indisponível: \(error)")
            return nil
        }
        if let lag {
            snapshot.backlog = lag
            snapshot.unconsumed = lag.values.reduce(0, +)
        }
        let seconds = since(started)
        if counting {
            stageCountBudget.record(start: start, cost: seconds - start)
            samples.append(.init(seconds: seconds, counts: snapshot))
        }
        func rate(_ path: KeyPath<ReplayProbe.Snapshot, Int>) -> String {
            guard counting, let previous, seconds > previous.seconds else { return "" }
            let value = Double(snapshot[keyPath: path] - previous.counts[keyPath: path]) / (seconds - previous.seconds)
            return value > 0 ? String(format: " (%.0f/s)", value) : ""
        }
        log(String(format: "[%6.1f s]", seconds)
            + " recebidos \(grouped(snapshot.received))\(rate(\.received))"
            + " | notificados \(grouped(snapshot.notified))\(rate(\.notified))"
            + " | finais \(grouped(snapshot.released))\(rate(\.released))"
            + " | GRUs \(grouped(snapshot.grusIssued)), no portal \(grouped(snapshot.grusVisible))"
            + " | fila: \(grouped(snapshot.unsent)) a publicar, \(grouped(snapshot.unconsumed)) a consumir"
            + (lag == nil ? "" : " (lag no broker)")
            + backlog(snapshot)
            + (counting ? "" : String(format: " [contagens de %.0f s atrás]", seconds - (previous?.seconds ?? seconds))))
        return snapshot
    }

    /// The consumers that are behind, e.g. " (deadlines 120, debt_calculator 4)"; empty when none is.
    func backlog(_ snapshot: ReplayProbe.Snapshot) -> String {
        let behind = ReplayProbe.schemas.compactMap { schema in
            snapshot.backlog[schema].flatMap { $0 > 0 ? "\(schema) \(grouped($0))" : nil }
        }
        return behind.isEmpty ? "" : " (" + behind.joined(separator: ", ") + ")"
    }

    // MARK: Helpers

    /// Runs `ressus ARGS` (this executable) with output to a log file in the results directory,
    /// sampling progress while it runs; fails when it fails.
    func cli(_ arguments: [String], log name: String) async throws {
        let logURL = results.appendingPathComponent("\(name).log")
        FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let output = try FileHandle(forWritingTo: logURL)
        defer { try? output.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = output
        try process.run()
        try await sample(while: { process.isRunning })
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw OperatorError(message: "'ressus \(arguments.joined(separator: " "))' terminou com status \(process.terminationStatus); ver \(logURL.path)")
        }
    }

    /// Advances the shared simulated clock to 09:00 of `date` and waits for every service to confirm.
    /// Moves the simulated clock and waits until every service acknowledged it. Services fire what
    /// falls due before acknowledging (at a year's volume, the end of every impugnação window at
    /// once: minutes), so progress samples go on meanwhile.
    func advanceClock(to date: CivilDate) async throws {
        log("Relógio simulado → \(date.brazilian) 09:00")
        let arguments = ["relogio", "avancar", "--para", "\(date)T09:00", "--aguardar",
                         ServiceDescriptor.all.map(\.name).joined(separator: ","), "--tempo-limite", String(command.tempoLimite)]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        try await sample(while: { process.isRunning })
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw OperatorError(message: "'ressus \(arguments.joined(separator: " "))' terminou com status \(process.terminationStatus)")
        }
    }

    func runPsql(_ script: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", databaseURL]
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data(script.utf8))
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw OperatorError(message: "psql terminou com status \(process.terminationStatus) (é preciso o cliente psql no PATH)")
        }
    }

    func scalarDate(_ sql: String) async throws -> CivilDate {
        try await pool.withConnection { try $0.query(sql)[0].civilDate(at: 0) }
    }

    func path(_ file: String) -> String {
        file.hasPrefix("/") ? file : URL(fileURLWithPath: command.dados).appendingPathComponent(file).path
    }

    func since(_ start: Date) -> Double { Date().timeIntervalSince(start) }

    func log(_ line: String) { Console.error(line) }

    static func machine() -> String {
        let cpus = ProcessInfo.processInfo.activeProcessorCount
        let memory = ProcessInfo.processInfo.physicalMemory / (1 << 30)
        return "\(cpus) núcleos, \(memory) GiB, \(ProcessInfo.processInfo.operatingSystemVersionString)"
    }
}
