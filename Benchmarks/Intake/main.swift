// Issue 5's benchmark: importing and notifying atendimentos end to end against `psql \copy`.
//
//   intake-benchmark [--atendimentos N] [--operadoras M] [--ressus PATH]
//       Writes an ABI file of N atendimentos (default 1,000,000) for M operadoras (default 700),
//       loads it once with `psql \copy` (the ceiling), then runs the system on it in the same run:
//       `ressus abi importar` (the real CLI, a child process) into an intake schema, the intake's
//       scheduled notification (NotifyABIHandler) → outbox → relay → Kafka → the deadlines inbox
//       consumer → deadlines schema, until every atendimento is in the deadlines schema. Prints
//       atendimentos/s of both, their ratio (issue 5 target: at least 0.35) and the peak RSS of the
//       CLI and of this process, which runs both services (intake: scheduler and relay; deadlines:
//       inbox consumer, scheduler and relay) as ServiceHost would. Then the database floor: every
//       row the run left in both schemas reloaded by psql alone (ReloadFloor), which bounds the
//       ratio any implementation leaving those rows can reach.
//
// Build in release mode: swift build -c release --product ressus, then --product intake-benchmark
// (`--ressus` defaults to the `ressus` next to this executable).
// Environment: RESSUS_DATABASE_URL, RESSUS_KAFKA_BROKERS. Uses random schemas and topics, dropped at
// the end.
import BenchmarkSupport
import Foundation
import Logging

LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardError(label: label)
    handler.logLevel = .warning
    return handler
}

var arguments = CommandLine.arguments.dropFirst()
var atendimentos = 1_000_000, operadoras = 700
var ressus = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    .appendingPathComponent("ressus")
while let name = arguments.popFirst() {
    switch (name, arguments.popFirst()) {
    case ("--atendimentos", let text?) where Int(text).map({ $0 > 0 }) == true: atendimentos = Int(text)!
    case ("--operadoras", let text?) where Int(text).map({ $0 > 0 && $0 < 900_000 }) == true: operadoras = Int(text)!
    case ("--ressus", let path?): ressus = URL(fileURLWithPath: path)
    default:
        FileHandle.standardError.write(Data("usage: intake-benchmark [--atendimentos N] [--operadoras M] [--ressus PATH]\n".utf8))
        exit(2)
    }
}
let environment = ProcessInfo.processInfo.environment
guard let databaseURL = environment["RESSUS_DATABASE_URL"], !databaseURL.isEmpty,
      let brokers = environment["RESSUS_KAFKA_BROKERS"], !brokers.isEmpty else {
    FileHandle.standardError.write(Data("RESSUS_DATABASE_URL and RESSUS_KAFKA_BROKERS must be set (source .local/run/env.sh)\n".utf8))
    exit(2)
}
guard FileManager.default.isExecutableFile(atPath: ressus.path) else {
    FileHandle.standardError.write(Data("\(ressus.path) not found: build it (swift build -c release --product ressus) or pass --ressus\n".utf8))
    exit(2)
}

let benchmark = try await IntakeBenchmark.make(
    databaseURL: databaseURL, brokers: brokers, atendimentos: atendimentos, operadoras: operadoras, ressus: ressus)
do {
    try await benchmark.run()
} catch {
    await benchmark.tearDown()
    throw error
}
await benchmark.tearDown()
