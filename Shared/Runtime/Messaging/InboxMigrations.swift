import Postgres

extension RuntimeMigrations {
    /// The inbox consumer's additions to the runtime tables (versions 20-29).
    ///
    /// 22 — the inbox's primary key leads with `event_id`: every batch inserts rows of one consumer,
    /// so a key that starts with `consumer` compares that equal text first on every step down the
    /// index (in psql, 100,000 rows by 1,000-row `INSERT … ON CONFLICT`: 5.8 µs a row against
    /// 6.4-7.8 µs); and the load replay's probes, which look rows up by `event_id` alone, can use it.
    /// `ON CONFLICT (consumer, event_id)` still names it (PostgreSQL matches the columns in any order).
    public static let inbox: [PostgresMigration] = [
        PostgresMigration(version: 20, name: "runtime inbox skipped outcome", sql: """
            ALTER TABLE inbox DROP CONSTRAINT inbox_outcome_check;
            ALTER TABLE inbox ADD CONSTRAINT inbox_outcome_check
                CHECK (outcome IN ('applied', 'skipped', 'dead_lettered'));
            """),
        PostgresMigration(version: 21, name: "runtime dead letter redrives", sql: """
            CREATE TABLE dead_letter_redrives (
                id              bigserial PRIMARY KEY,
                consumer        text NOT NULL,
                dlt_topic       text NOT NULL,
                dlt_partition   integer NOT NULL,
                dlt_offset      bigint NOT NULL,
                event_id        uuid,
                redriven_at     timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX dead_letter_redrives_entry ON dead_letter_redrives (dlt_topic, dlt_partition, dlt_offset);
            """),
        PostgresMigration(version: 22, name: "runtime inbox key led by event id", sql: """
            ALTER TABLE inbox DROP CONSTRAINT inbox_pkey, ADD PRIMARY KEY (event_id, consumer);
            """),
    ]
}
