import Foundation
import IntakeCore
import Models
import Postgres
import Runtime
import TestSupport

/// A fresh intake schema (runtime + intake migrations) per test on the shared PostgreSQL.
enum IntakeTestDatabase {
    static func databaseURL() throws -> String { try TestEnvironment.databaseURL() }

    /// Runs `body` with a pool on a new migrated schema, dropped afterwards.
    static func withSchema<T>(_ body: (PostgresPool, String) async throws -> T) async throws -> T {
        try await TemporarySchema.with(
            prefix: "intaketest", applicationName: "ressus-intake-tests", poolSize: 3,
            migrations: try RuntimeMigrations.with(service: IntakeMigrations.all), body)
    }

    /// Registers the sample operadoras (registro ANS 123456, 234567, 345678).
    static func registerSampleOperadoras(_ pool: PostgresPool) async throws {
        let file = try Samples.url("operadoras-exemplo.csv")
        _ = try await pool.withConnection { try OperadoraImporter().importFile(file, time: Date(), on: $0) }
    }

    /// The outbox's events of `type`, in order.
    static func outbox(_ pool: PostgresPool, type: EventType) async throws -> [EventEnvelope] {
        try await pool.withConnection { connection in
            try connection.query("SELECT event_id, partition_key, payload, topic FROM outbox WHERE event_type = $1 ORDER BY seq",
                                 [type.description]).map { row in
                EventEnvelope(
                    id: try row.decode(UUID.self, at: 0), type: type, source: "test", time: Date(),
                    partitionKey: try row.decode(String.self, at: 1), payload: Data(try row.decode([UInt8].self, at: 2)))
            }
        }
    }

    static func count(_ pool: PostgresPool, _ sql: String) async throws -> Int {
        try await pool.withConnection { try $0.query(sql)[0].decode(Int.self, at: 0) }
    }
}

/// The repository's sample files and temporary files.
enum Samples {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func url(_ name: String) throws -> URL {
        let url = repository.appendingPathComponent("samples").appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else { throw TestFailure("missing sample \(url.path)") }
        return url
    }

    /// A new temporary directory (removed by the caller with `cleanUp`).
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("intake-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func write(_ text: String, named name: String, in directory: URL) throws -> URL {
        let url = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url
    }

    static let header = "abi,registro_ans,tipo,numero_documento,competencia,codigo_beneficiario,data_nascimento,data_inicio,data_fim,cnes,procedimento,quantidade,valor_sus"

    /// A valid CSV row for ABI `abi`, operadora `registro`, document number from `n`.
    static func row(abi: Int, registro: String = "123456", n: Int, value: String = "100.00", competencia: String = "2025-01") -> String {
        let document = String(3_525_100_000_000 + n)
        return "\(abi),\(registro),AIH,\(document),\(competencia),B\(n),1970-01-01,2025-01-05,2025-01-09,2077485,0303010037,1,\(value)"
    }
}
