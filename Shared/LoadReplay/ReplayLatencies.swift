import Foundation
import Histogram
import Postgres

/// Latency distributions of a replay, in milliseconds, recorded in HdrHistograms (3 significant
/// digits) from the timestamps the runtime keeps: outbox `created_at` (event written, in the same
/// transaction as the state change) and inbox `received_at` (event applied by a consumer).
public struct ReplayLatencies: Sendable {
    /// One measured path: name, what it measures, and its distribution.
    public struct Path: Sendable, Codable {
        public var name: String
        public var description: String
        public var count: Int
        public var p50: Double
        public var p90: Double
        public var p99: Double
        public var max: Double
        /// (percentile, milliseconds) points for the distribution chart.
        public var curve: [[Double]]
    }

    public init() {}

    /// Builds a path from latencies in microseconds.
    public static func path(_ name: String, _ description: String, microseconds: [Int64]) -> Path {
        var histogram = Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
        for value in microseconds { histogram.record(UInt64(max(value, 0))) }
        func ms(_ percentile: Double) -> Double {
            microseconds.isEmpty ? 0 : Double(histogram.valueAtPercentile(percentile)) / 1000
        }
        let percentiles: [Double] = [0, 10, 25, 50, 75, 90, 95, 99, 99.9, 100]
        return Path(name: name, description: description, count: microseconds.count,
                    p50: ms(50), p90: ms(90), p99: ms(99), max: Double(histogram.max) / 1000,
                    curve: percentiles.map { [$0, ms($0)] })
    }

    /// Each ABI received by the intake (`intake.abis.received_at`, wall clock, set by the first row
    /// of its import) → each of its notification-atendimentos events written (one value per event,
    /// i.e. per batch of up to 500 atendimentos of one operadora).
    public func abiToNotification(on connection: PostgresConnection) throws -> Path {
        let values = try microseconds(connection, """
            SELECT (extract(epoch FROM (o.created_at - a.received_at)) * 1e6)::bigint
            FROM intake.outbox o
            JOIN intake.abis a ON a.abi = (convert_from(o.payload, 'UTF8')::jsonb ->> 'abi')::int
            WHERE o.event_type LIKE '%.notification.atendimentos.%'
            """)
        return Self.path("abi_para_notificacao", "ABI recebida → evento de notificação emitido (intake)", microseconds: values)
    }

    /// Notification event written by the intake → applied by the deadlines service.
    public func notificationToDeadlines(on connection: PostgresConnection) throws -> Path {
        let values = try microseconds(connection, """
            SELECT (extract(epoch FROM (i.received_at - o.created_at)) * 1e6)::bigint
            FROM intake.outbox o JOIN deadlines.inbox i ON i.event_id = o.event_id
            WHERE o.event_type LIKE '%.notification.atendimentos.%'
            """)
        return Self.path("notificacao_para_prazos", "notificação emitida → registrada pelo deadlines", microseconds: values)
    }

    /// The clock advanced past the impugnação windows (wall clock `since`) → each GRU visible in the portal.
    /// Only the GRUs the closing issued: those applied by `until` (later ones follow decisions).
    public func windowClosedToPortal(since: Date, until: Date, on connection: PostgresConnection) throws -> Path {
        let values = try gruVisible(after: "$1::timestamptz", [since, until], where: "i.received_at <= $2::timestamptz",
                                    on: connection)
        return Self.path("prazo_encerrado_para_portal", "prazo de impugnação encerrado → GRU visível no portal", microseconds: values)
    }

    /// GRU issued by the debt calculator → applied to the portal's read model.
    public func gruToPortal(on connection: PostgresConnection) throws -> Path {
        let values = try gruVisible(after: "o.created_at", on: connection)
        return Self.path("gru_para_portal", "GRU emitida → visível no portal (report-publisher)", microseconds: values)
    }

    /// Microseconds from `start` (an SQL expression over the debt calculator's outbox row `o`) to
    /// each GRU-issued event being applied by the report publisher.
    private func gruVisible(after start: String, _ parameters: [any PostgresEncodable] = [], where condition: String = "true",
                            on connection: PostgresConnection) throws -> [Int64] {
        try microseconds(connection, """
            SELECT (extract(epoch FROM (i.received_at - \(start))) * 1e6)::bigint
            FROM debt_calculator.outbox o JOIN report_publisher.inbox i ON i.event_id = o.event_id
            WHERE o.event_type LIKE '%.gru.issued.%' AND \(condition)
            """, parameters)
    }

    private func microseconds(_ connection: PostgresConnection, _ sql: String, _ parameters: [any PostgresEncodable] = [])
        throws -> [Int64] {
        try connection.query(sql, parameters).map { try $0.decode(Int64.self, at: 0) }
    }
}
