import Foundation
import Models
import Postgres

/// What an operator can ask one service: the service's own request enum, stored as JSON in its
/// `requests` table.
public protocol DeskRequest: Codable, Sendable {
    /// Short name stored with the request.
    var kind: String { get }
    /// The service's scheduled-work kind that fires its requests (key = request id).
    static var work: String { get }
    /// Whether the service's `requests` table has the `result` column (details for `--json`).
    static var keepsResult: Bool { get }
}

extension DeskRequest {
    public static var keepsResult: Bool { false }
}

/// What the service answered to a request.
public struct RequestOutcome: Sendable, Hashable {
    public let accepted: Bool
    /// The answer in Portuguese, for the operator.
    public let message: String
    /// Details for `--json` (e.g. a new GRU number); kept only where the table has `result`.
    public var result: [String: String]

    public init(accepted: Bool, message: String, result: [String: String] = [:]) {
        self.accepted = accepted
        self.message = message
        self.result = result
    }

    public static func accepted(_ message: String, result: [String: String] = [:]) -> RequestOutcome {
        RequestOutcome(accepted: true, message: message, result: result)
    }

    public static func refused(_ message: String) -> RequestOutcome { RequestOutcome(accepted: false, message: message) }
}

/// The CLI's front door into a service: the CLI inserts a request row in the service's schema plus a
/// scheduled item due at once; the service fires it with its own clock, decides it and writes the
/// outcome back, which the CLI polls.
public enum OperatorRequestDesk {
    /// The `requests` table, as each service's first migration creates it (the text is part of
    /// those migrations' checksums: never change it, add a migration instead).
    public static func tableDDL(keepingResult: Bool = false) -> String {
        """
        -- Operator requests (the CLI's front door): the CLI inserts one and schedules it due at
        -- once; the service decides it with its clock and writes the outcome.
        CREATE TABLE requests (
            id           bigserial PRIMARY KEY,
            kind         text NOT NULL,
            payload      jsonb NOT NULL,
            status       text NOT NULL DEFAULT 'pendente' CHECK (status IN ('pendente', 'aceito', 'recusado')),
            message      text,\(keepingResult ? "\n    result       jsonb," : "")
            requested_at timestamptz NOT NULL DEFAULT now(),
            decided_on   date
        );
        """
    }

    /// Records `request`, schedules it for the service and wakes the service's scheduler, in the
    /// transaction open on `connection`.
    /// Returns the request's number.
    public static func submit<Request: DeskRequest>(_ request: Request, on connection: PostgresConnection) throws -> Int64 {
        let payload = String(decoding: try EventJSON.encoder.encode(request), as: UTF8.self)
        let id = try connection.query(insert, [request.kind, PostgresJSON(payload)])[0].decode(Int64.self, at: 0)
        // Due "at once" under any clock: a simulated clock may be far behind the wall clock.
        try ScheduledWork.schedule(kind: Request.work, key: String(id), dueAt: Date(timeIntervalSince1970: 0),
                                   payloadJSON: "{\"id\":\(id)}", on: connection)
        try ScheduledWork.wakeWorkers(on: connection)  // the service answers now, not at its next poll
        return id
    }

    /// Records many requests at once, with the effect of `submit` on each in order (one INSERT, one
    /// batch of scheduled items, one wake-up): for tools filing thousands (`ressus carga reproduzir`).
    /// Returns their numbers, in order.
    public static func submit<Request: DeskRequest>(all requests: [Request], on connection: PostgresConnection) throws -> [Int64] {
        guard !requests.isEmpty else { return [] }
        // Numbers drawn first, in ascending order, so the n-th request gets the n-th number whatever
        // order the INSERT writes its rows in; the scheduler fires items due together by id.
        let ids = try connection.query(drawIDs, [requests.count]).map { try $0.decode(Int64.self, at: 0) }.sorted()
        let payloads = try requests.map { String(decoding: try EventJSON.encoder.encode($0), as: UTF8.self) }
        _ = try connection.execute(insertMany, [ids.map(String.init), requests.map(\.kind), payloads])
        try ScheduledWork.schedule(ids.map {
            ScheduledWork.Item(kind: Request.work, key: String($0), dueAt: Date(timeIntervalSince1970: 0), payloadJSON: "{\"id\":\($0)}")
        }, on: connection)
        try ScheduledWork.wakeWorkers(on: connection)
        return ids
    }

    /// The outcome of request `id` of a `Request` service; nil while the service has not decided it.
    public static func outcome<Request: DeskRequest>(
        of id: Int64, _ type: Request.Type, on connection: PostgresConnection
    ) throws -> RequestOutcome? {
        let rows = try connection.query(Request.keepsResult ? selectWithResult : select, [id])
        guard let row = rows.first else { throw PostgresError(kind: .misuse, message: "no request \(id)") }
        let status = try row.decode(String.self, at: 0)
        guard status != "pendente" else { return nil }
        var result: [String: String] = [:]
        if Request.keepsResult {
            let json = try row.decode(PostgresJSON?.self, at: 2)?.text ?? "{}"
            result = (try? JSONDecoder().decode([String: String].self, from: Data(json.utf8))) ?? [:]
        }
        return RequestOutcome(accepted: status == "aceito", message: try row.decode(String?.self, at: 1) ?? "", result: result)
    }

    private struct Reference: Codable { let id: Int64 }

    /// Fires the scheduled items of requests, in order: locks those still pending (one statement),
    /// lets `decide` answer each with the service's clock ("today") and records the outcomes (one
    /// statement). A request already decided is left alone. The same as firing them one at a time:
    /// `decide` never reads the `requests` table.
    public static func fire<Request: DeskRequest>(
        _ items: [ScheduledItem], as type: Request.Type, context: HandlerContext,
        decide: (_ request: Request, _ id: Int64, _ today: CivilDate) throws -> RequestOutcome
    ) throws {
        try fire(items, as: type, context: context) { requests, today in
            try requests.map { try decide($0.request, $0.id, today) }
        }
    }

    /// ``fire(_:as:context:decide:)`` with `decideAll` answering every pending request at once, in
    /// order (one outcome each), for a service that decides runs of similar requests set-based.
    public static func fire<Request: DeskRequest>(
        _ items: [ScheduledItem], as type: Request.Type, context: HandlerContext,
        decideAll: (_ requests: [(request: Request, id: Int64)], _ today: CivilDate) throws -> [RequestOutcome]
    ) throws {
        let ids = try items.map { try $0.payload(as: Reference.self).id }
        guard !ids.isEmpty else { return }
        let connection = context.connection
        var pending: [Int64: String] = [:]
        for row in try connection.query(lockPending, [ids.map(String.init)]) {
            pending[try row.decode(Int64.self, at: 0)] = try row.decode(PostgresJSON.self, at: 1).text
        }
        let today = BusinessTimeZone.civilDate(of: context.now)
        let requests = try ids.compactMap { id -> (request: Request, id: Int64)? in
            guard let payload = pending.removeValue(forKey: id) else { return nil }
            return (try EventJSON.decoder.decode(Request.self, from: Data(payload.utf8)), id)
        }
        guard !requests.isEmpty else { return }
        let outcomes = try decideAll(requests, today)
        precondition(outcomes.count == requests.count, "one outcome per request")
        var decided: [String] = [], statuses: [String] = [], messages: [String] = [], results: [String] = []
        for (request, outcome) in zip(requests, outcomes) {
            decided.append(String(request.id))
            statuses.append(outcome.accepted ? "aceito" : "recusado")
            messages.append(outcome.message)
            if Request.keepsResult { results.append(String(decoding: try JSONEncoder().encode(outcome.result), as: UTF8.self)) }
        }
        let decidedOn = PostgresDate(year: today.year, month: today.month, day: today.day)!
        if Request.keepsResult {
            _ = try connection.execute(recordWithResult, [decided, statuses, messages, decidedOn, results])
        } else {
            _ = try connection.execute(record, [decided, statuses, messages, decidedOn])
        }
    }

    /// How far the service has got with requests `start...last` (numbers from ``submit(all:on:)``).
    public struct BulkProgress: Sendable, Equatable {
        /// The lowest request still pending; nil when every one is decided.
        public var firstPending: Int64?
        /// Up to three refusal messages among the requests from `start` up to `firstPending`.
        public var refusals: [String]

        public init(firstPending: Int64?, refusals: [String]) {
            self.firstPending = firstPending
            self.refusals = refusals
        }
    }

    /// The lowest pending request from `start` through `last` and the refusals below it, reading
    /// only that stretch: a poller passes the last answer's `firstPending` as the next `start`, so
    /// each request is read about once however often it polls (the service decides them roughly
    /// in order). Counting the pending ones and the refusals over the whole range every 0.2 s read
    /// all of a year replay's 162,128 ciências twice a poll: 54 ms in psql with half of them
    /// decided, against 0.7 ms this way.
    public static func progress(from start: Int64, through last: Int64, on connection: PostgresConnection) throws -> BulkProgress {
        let firstPending = try connection.query(firstPendingFrom, [start, last]).first?.decode(Int64.self, at: 0)
        let refusals = try connection.query(refusalsBelow, [start, firstPending ?? (last + 1)])
            .map { try $0.decode(String?.self, at: 0) ?? "" }
        return BulkProgress(firstPending: firstPending, refusals: refusals)
    }

    static let firstPendingFrom = PostgresStatement(
        "SELECT id FROM requests WHERE id BETWEEN $1 AND $2 AND status = 'pendente' ORDER BY id LIMIT 1")
    static let refusalsBelow = PostgresStatement(
        "SELECT message FROM requests WHERE id >= $1 AND id < $2 AND status = 'recusado' ORDER BY id LIMIT 3")

    static let insert = PostgresStatement("INSERT INTO requests (kind, payload) VALUES ($1, $2) RETURNING id")
    static let drawIDs = PostgresStatement(
        "SELECT nextval(pg_get_serial_sequence('requests', 'id')) FROM generate_series(1, $1::integer)")
    static let insertMany = PostgresStatement("""
        INSERT INTO requests (id, kind, payload)
        SELECT i::bigint, k, p::jsonb FROM unnest($1::text[], $2::text[], $3::text[]) AS r(i, k, p)
        """)
    static let select = PostgresStatement("SELECT status, message FROM requests WHERE id = $1")
    static let selectWithResult = PostgresStatement("SELECT status, message, result FROM requests WHERE id = $1")
    static let lockPending = PostgresStatement("""
        SELECT id, payload FROM requests WHERE id = ANY($1::text[]::bigint[]) AND status = 'pendente'
        ORDER BY id FOR UPDATE
        """)
    static let record = PostgresStatement("""
        UPDATE requests r SET status = u.status, message = u.message, decided_on = $4
        FROM unnest($1::text[], $2::text[], $3::text[]) AS u(id, status, message)
        WHERE r.id = u.id::bigint
        """)
    static let recordWithResult = PostgresStatement("""
        UPDATE requests r SET status = u.status, message = u.message, decided_on = $4, result = u.result::jsonb
        FROM unnest($1::text[], $2::text[], $3::text[], $5::text[]) AS u(id, status, message, result)
        WHERE r.id = u.id::bigint
        """)
}
