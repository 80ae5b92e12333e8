import Foundation
import Postgres
import Testing

/// One row of every column type the services use.
struct Sample: Equatable, Sendable {
    var small: Int16
    var regular: Int32
    var big: Int64
    var flag: Bool
    var name: String
    var centavos: Int64
    var day: PostgresDate
    var at: Date
    var id: UUID
    var payload: [UInt8]
    var document: PostgresJSON
    var tags: [String]
    var note: String?

    var values: [any PostgresEncodable] {
        [small, regular, big, flag, name, centavos, day, at, id, payload, document, tags, note]
    }

    /// PostgreSQL keeps microseconds, so timestamps compare at that precision.
    static func == (lhs: Sample, rhs: Sample) -> Bool {
        func micros(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1_000_000).rounded()) }
        return (lhs.small, lhs.regular, lhs.big, lhs.flag, lhs.name, lhs.centavos) == (rhs.small, rhs.regular, rhs.big, rhs.flag, rhs.name, rhs.centavos)
            && (lhs.day, micros(lhs.at), lhs.id, lhs.payload, lhs.document) == (rhs.day, micros(rhs.at), rhs.id, rhs.payload, rhs.document)
            && lhs.tags == rhs.tags && lhs.note == rhs.note
    }

    static let columns = ["small", "regular", "big", "flag", "name", "centavos", "day", "at", "id", "payload", "document", "tags", "note"]

    static let createTable = """
        CREATE TABLE samples (
            seq bigserial PRIMARY KEY,
            small smallint, regular integer, big bigint, flag boolean, name text, centavos bigint,
            day date, at timestamptz, id uuid, payload bytea, document jsonb, tags text[], note text
        )
        """

    init(row: PostgresRow) throws {
        small = try row.decode(column: "small")
        regular = try row.decode(column: "regular")
        big = try row.decode(column: "big")
        flag = try row.decode(column: "flag")
        name = try row.decode(column: "name")
        centavos = try row.decode(column: "centavos")
        day = try row.decode(column: "day")
        at = try row.decode(column: "at")
        id = try row.decode(column: "id")
        payload = try row.decode(column: "payload")
        document = try row.decode(column: "document")
        tags = try row.decode(column: "tags")
        note = try row.decode(column: "note")
    }

    init(small: Int16, regular: Int32, big: Int64, flag: Bool, name: String, centavos: Int64, day: PostgresDate,
         at: Date, id: UUID, payload: [UInt8], document: PostgresJSON, tags: [String], note: String?) {
        (self.small, self.regular, self.big, self.flag, self.name, self.centavos) = (small, regular, big, flag, name, centavos)
        (self.day, self.at, self.id, self.payload, self.document, self.tags, self.note) = (day, at, id, payload, document, tags, note)
    }

    /// Edge values: extremes, every byte, characters COPY and array literals must escape, NULL.
    static let examples: [Sample] = [
        Sample(
            small: .min, regular: .max, big: .min, flag: true,
            name: "tab\there\nnew line\r\\back\\slash \"quoted\" 'single' ação 日本 🇧🇷 \\N NULL",
            centavos: 123_456_789_012, day: PostgresDate(year: 2024, month: 2, day: 29)!,
            at: Date(timeIntervalSince1970: 1_732_370_400.123456), id: UUID(),
            payload: Array(0...255), document: PostgresJSON(#"{"a": [1, 2, {"b": null}], "texto": "ação\t\"x\"\\"}"#),
            tags: ["plain", "with space", "com,vírgula", "{brace}", "\"quote\"", "back\\slash", "NULL", "", "tab\tnl\n"],
            note: nil
        ),
        Sample(
            small: .max, regular: .min, big: .max, flag: false, name: "", centavos: -1,
            day: PostgresDate(year: 1, month: 1, day: 1)!, at: Date(timeIntervalSince1970: -2_208_988_800.5),
            id: UUID(), payload: [], document: PostgresJSON("[]"), tags: [], note: "nota"
        ),
        Sample(
            small: 0, regular: 0, big: 0, flag: true, name: "x", centavos: 0,
            day: PostgresDate(year: 9999, month: 12, day: 31)!, at: Date(timeIntervalSince1970: 0),
            id: UUID(), payload: [0x5c, 0x09, 0x0a], document: PostgresJSON(#""just a string""#), tags: ["only"], note: ""
        ),
    ]
}

@Suite struct ValueRoundTripTests {
    @Test func everyTypeRoundTripsThroughParameters() async throws {
        try await TestDatabase.withSchema { pool, _ in
            let read = try await pool.withConnection { connection in
                try connection.executeScript(Sample.createTable)
                let placeholders = (1...Sample.columns.count).map { "$\($0)" }.joined(separator: ", ")
                for sample in Sample.examples {
                    try connection.execute(
                        "INSERT INTO samples (\(Sample.columns.joined(separator: ", "))) VALUES (\(placeholders))", sample.values
                    )
                }
                return try connection.query("SELECT * FROM samples ORDER BY seq").map(Sample.init(row:))
            }
            #expect(read == Sample.examples)
        }
    }

    @Test func everyTypeRoundTripsThroughCopy() async throws {
        try await TestDatabase.withSchema { pool, schema in
            let (copied, read) = try await pool.withConnection { connection in
                try connection.executeScript(Sample.createTable)
                let copied = try connection.copy(
                    into: "samples", schema: schema, columns: Sample.columns, rows: Sample.examples.map(\.values), batchSize: 2
                )
                return (copied, try connection.query("SELECT * FROM samples ORDER BY seq").map(Sample.init(row:)))
            }
            #expect(copied == Sample.examples.count)
            #expect(read == Sample.examples)
        }
    }

    @Test func nullRoundTripsForEveryType() async throws {
        try await TestDatabase.withSchema { pool, _ in
            let allNil = try await pool.withConnection { connection in
                try connection.executeScript(Sample.createTable)
                let nulls = [any PostgresEncodable](repeating: PostgresValue.null, count: Sample.columns.count)
                try connection.copy(into: "samples", columns: Sample.columns, rows: [nulls])
                let placeholders = (1...Sample.columns.count).map { "$\($0)" }.joined(separator: ", ")
                try connection.execute("INSERT INTO samples (\(Sample.columns.joined(separator: ", "))) VALUES (\(placeholders))", nulls)
                return try connection.query("SELECT * FROM samples").map { row in
                    try [
                        row.decode(Int16?.self, column: "small") == nil, row.decode(Int32?.self, column: "regular") == nil,
                        row.decode(Int64?.self, column: "big") == nil, row.decode(Bool?.self, column: "flag") == nil,
                        row.decode(String?.self, column: "name") == nil, row.decode(PostgresDate?.self, column: "day") == nil,
                        row.decode(Date?.self, column: "at") == nil, row.decode(UUID?.self, column: "id") == nil,
                        row.decode([UInt8]?.self, column: "payload") == nil, row.decode(PostgresJSON?.self, column: "document") == nil,
                        row.decode([String]?.self, column: "tags") == nil,
                    ].allSatisfy { $0 }
                }
            }
            #expect(allNil == [true, true])
        }
    }

    @Test func datesAndTimestampsAsTextAndInWhereClauses() async throws {
        try await TestDatabase.withSchema { pool, _ in
            let (asText, found, micros) = try await pool.withConnection { connection in
                try connection.executeScript("CREATE TABLE d (day date, at timestamptz)")
                let at = Date(timeIntervalSince1970: 1_700_000_000.654321)
                try connection.execute("INSERT INTO d VALUES ($1, $2)", ["2026-01-31", at])
                let asText: String = try connection.query("SELECT day FROM d")[0].decode(at: 0)
                let found = try connection.query("SELECT count(*) FROM d WHERE day = $1 AND at = $2", [PostgresDate("2026-01-31")!, at])[0]
                    .decode(Int64.self, at: 0)
                let micros: Int64 = try connection.query("SELECT (extract(epoch FROM at) * 1000000)::bigint FROM d")[0].decode(at: 0)
                return (asText, found, micros)
            }
            #expect(asText == "2026-01-31")
            #expect(found == 1)
            #expect(micros == 1_700_000_000_654_321)
        }
    }

    @Test func decodingErrorsSayWhatIsWrong() async throws {
        try await TestDatabase.withSchema { pool, _ in
            let kinds = try await pool.withConnection { connection -> [PostgresError.Kind?] in
                let row = try connection.query("SELECT 1::int AS one, NULL::text AS nothing, 'abc'::text AS word, 5000000000::bigint AS big")[0]
                func kind(_ work: () throws -> Any) -> PostgresError.Kind? {
                    do { _ = try work(); return nil } catch { return (error as? PostgresError)?.kind }
                }
                return [
                    kind { try row.decode(Int.self, column: "missing") },
                    kind { try row.decode(Int.self, at: 9) },
                    kind { try row.decode(String.self, column: "nothing") },
                    kind { try row.decode(Int.self, column: "word") },
                    kind { try row.decode(Int32.self, column: "big") },
                    kind { try row.decode(Bool.self, column: "one") },
                    kind { try row.decode(Int64.self, column: "big") },
                ]
            }
            #expect(kinds == [.columnMissing, .columnMissing, .unexpectedNull, .typeMismatch, .invalidValue, .typeMismatch, nil])
        }
    }

    @Test func copyAbortsWhenTheBodyThrows() async throws {
        struct Stop: Error {}
        try await TestDatabase.withSchema { pool, _ in
            let (threw, count) = try await pool.withConnection { connection in
                try connection.executeScript("CREATE TABLE c (n bigint)")
                var threw = false
                do {
                    try connection.copy(into: "c", columns: ["n"], batchSize: 10) { writer in
                        for n in 0..<100 { try writer.append([n]) }
                        throw Stop()
                    }
                } catch is Stop { threw = true }
                return (threw, try connection.query("SELECT count(*) FROM c")[0].decode(Int64.self, at: 0))
            }
            #expect(threw)
            #expect(count == 0)
        }
    }

    @Test func copyRejectsARowWithTheWrongNumberOfValues() async throws {
        try await TestDatabase.withSchema { pool, _ in
            let (kind, count) = try await pool.withConnection { connection in
                try connection.executeScript("CREATE TABLE c (n bigint, label text)")
                var kind: PostgresError.Kind?
                do {
                    try connection.copy(into: "c", columns: ["n", "label"], rows: [[1, "one"], [2]])
                } catch let error as PostgresError { kind = error.kind }
                return (kind, try connection.query("SELECT count(*) FROM c")[0].decode(Int64.self, at: 0))
            }
            #expect(kind == .misuse)
            #expect(count == 0)
        }
    }

    /// Enough rows for many chunks (by row count and by size), with escapes across chunk edges.
    @Test func largeCopyArrivesIntact() async throws {
        try await TestDatabase.withSchema { pool, _ in
            let expected = (0..<20_000).map { n in (Int64(n), "row\t\(n) \\ \(String(repeating: "é", count: n % 50))\n") }
            let (copied, read) = try await pool.withConnection { connection in
                try connection.executeScript("CREATE TABLE c (n bigint, label text)")
                let copied = try connection.copy(
                    into: "c", columns: ["n", "label"], rows: expected.lazy.map { [$0.0, $0.1] }, batchSize: 700
                )
                let read = try connection.query("SELECT n, label FROM c ORDER BY n").map {
                    (try $0.decode(Int64.self, at: 0), try $0.decode(String.self, at: 1))
                }
                return (copied, read)
            }
            #expect(copied == expected.count)
            #expect(read.map(\.0) == expected.map(\.0))
            #expect(read.map(\.1) == expected.map(\.1))
        }
    }
}
