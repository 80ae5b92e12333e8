import Postgres

/// The tables every service's schema has for the messaging runtime. Versions 1-99 are reserved for
/// these; a service's own migrations start at 100 (`ServiceHost` checks this).
public enum RuntimeMigrations {
    /// The first version a service may use for its own migrations.
    public static let firstServiceVersion = 100

    /// Every runtime migration, in version order: the base tables below, then the outbox (10-19),
    /// inbox (20-29) and scheduler (30-39) additions.
    public static let all: [PostgresMigration] = base + outbox + inbox + scheduler

    /// Prepends the runtime's migrations to a service's own, which must start at
    /// ``firstServiceVersion``.
    public static func with(service migrations: [PostgresMigration]) throws -> [PostgresMigration] {
        if let low = migrations.first(where: { $0.version < firstServiceVersion }) {
            throw PostgresError(
                kind: .misuse,
                message: "service migration \(low.version) (\(low.name)) uses a version reserved for the runtime (below \(firstServiceVersion))")
        }
        return all + migrations
    }

    /// The tables every schema starts with.
    static let base: [PostgresMigration] = [
        PostgresMigration(version: 1, name: "runtime outbox", sql: """
            CREATE TABLE outbox (
                seq            bigserial PRIMARY KEY,
                event_id       uuid NOT NULL UNIQUE,
                topic          text NOT NULL,
                partition_key  text NOT NULL,
                event_type     text NOT NULL,
                headers        jsonb NOT NULL,
                payload        bytea NOT NULL,
                created_at     timestamptz NOT NULL DEFAULT now(),
                sent_at        timestamptz
            );
            CREATE INDEX outbox_pending ON outbox (seq) WHERE sent_at IS NULL;
            CREATE INDEX outbox_sent_at ON outbox (sent_at) WHERE sent_at IS NOT NULL;
            """),
        PostgresMigration(version: 2, name: "runtime inbox", sql: """
            CREATE TABLE inbox (
                consumer      text NOT NULL,
                event_id      uuid NOT NULL,
                event_type    text NOT NULL,
                outcome       text NOT NULL CHECK (outcome IN ('applied', 'dead_lettered')),
                source_topic  text NOT NULL,
                source_partition integer NOT NULL,
                source_offset bigint NOT NULL,
                received_at   timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (consumer, event_id)
            );
            """),
        PostgresMigration(version: 3, name: "runtime handler attempts", sql: """
            CREATE TABLE handler_attempts (
                consumer    text NOT NULL,
                event_id    uuid NOT NULL,
                attempts    integer NOT NULL,
                last_error  text NOT NULL,
                updated_at  timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (consumer, event_id)
            );
            """),
        PostgresMigration(version: 4, name: "runtime scheduled work", sql: """
            CREATE TABLE scheduled_work (
                id          bigserial PRIMARY KEY,
                kind        text NOT NULL,
                work_key    text NOT NULL,
                due_at      timestamptz NOT NULL,
                payload     jsonb NOT NULL DEFAULT '{}',
                status      text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'cancelled')),
                attempts    integer NOT NULL DEFAULT 0,
                last_error  text,
                created_at  timestamptz NOT NULL DEFAULT now(),
                fired_at    timestamptz,
                UNIQUE (kind, work_key)
            );
            CREATE INDEX scheduled_work_due ON scheduled_work (due_at, id) WHERE status = 'pending';
            """),
    ]
}
