import Postgres

extension RuntimeMigrations {
    /// The inbox consumer's additions to the runtime tables (versions 20-29).
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
    ]
}
