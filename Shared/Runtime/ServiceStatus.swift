import Foundation
import Postgres

/// One line of `ressus status`: a Portuguese label and a query over the service's schema returning
/// `(state text, count bigint)` rows, e.g. `SELECT state, count(*) FROM notifications GROUP BY state`.
/// Each service's Core lists its own (e.g. `DeadlinesStatus.queries`, `IntakeStatus.queries`); the
/// CLI runs them against that service's schema.
public struct StatusQuery: Sendable {
    public let label: String
    public let sql: String

    public init(_ label: String, _ sql: String) {
        self.label = label
        self.sql = sql
    }
}

extension StatusQuery {
    /// What every service has (the runtime's tables): events in the outbox, to publish or published
    /// (kept `RESSUS_OUTBOX_RETENTION_DAYS`).
    public static let runtime: [StatusQuery] = [
        StatusQuery("eventos no outbox", "SELECT CASE WHEN u.seq IS NULL THEN 'publicado' ELSE 'a_publicar' END, count(*) "
            + "FROM outbox AS o LEFT JOIN outbox_unsent AS u ON u.seq = o.seq GROUP BY 1 ORDER BY 1"),
    ]
}

/// The counts per state of one service's schema, for `ressus status` (text or `--json`; the JSON keys
/// are Portuguese, like the rest of what operators see).
public struct ServiceStatus: Sendable, Codable, Equatable {
    public struct StateCount: Sendable, Codable, Equatable {
        public let state: String
        public let count: Int

        enum CodingKeys: String, CodingKey {
            case state = "estado"
            case count = "quantidade"
        }
    }

    public struct Section: Sendable, Codable, Equatable {
        /// What is counted, in Portuguese, e.g. "atendimentos".
        public let label: String
        public let counts: [StateCount]

        enum CodingKeys: String, CodingKey {
            case label = "rotulo"
            case counts = "contagens"
        }
    }

    enum CodingKeys: String, CodingKey {
        case service = "servico"
        case schema = "esquema"
        case sections = "secoes"
    }

    /// The service's name (`ServiceDescriptor.name`).
    public let service: String
    /// The schema the counts come from.
    public let schema: String
    public let sections: [Section]

    public init(service: String, schema: String, sections: [Section]) {
        self.service = service
        self.schema = schema
        self.sections = sections
    }

    /// Runs `queries` on `connection` (search_path = the service's schema).
    public static func read(service: String, schema: String, queries: [StatusQuery],
                            on connection: PostgresConnection) throws -> ServiceStatus {
        let sections = try queries.map { query in
            Section(label: query.label, counts: try connection.query(query.sql).map {
                StateCount(state: try $0.decode(String.self, at: 0), count: try $0.decode(Int.self, at: 1))
            })
        }
        return ServiceStatus(service: service, schema: schema, sections: sections)
    }

    /// The count of `state` under `label` (0 when none).
    public func count(_ label: String, _ state: String) -> Int {
        sections.first { $0.label == label }?.counts.first { $0.state == state }?.count ?? 0
    }

    /// One line per section: "atendimentos: cobravel 3, impugnado 1" (or "…: nenhum").
    public var description: String {
        sections.map { section in
            "\(section.label): " + (section.counts.isEmpty ? "nenhum"
                : section.counts.map { "\($0.state) \($0.count)" }.joined(separator: ", "))
        }.joined(separator: "\n")
    }
}
