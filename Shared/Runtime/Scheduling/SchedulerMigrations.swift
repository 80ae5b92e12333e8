import Postgres

extension RuntimeMigrations {
    /// The scheduler's additions to `scheduled_work` (versions 30-39 are the scheduler's range).
    public static let scheduler: [PostgresMigration] = [
        PostgresMigration(version: 30, name: "scheduled work retries", sql: """
            ALTER TABLE scheduled_work DROP CONSTRAINT scheduled_work_status_check;
            ALTER TABLE scheduled_work ADD CONSTRAINT scheduled_work_status_check
                CHECK (status IN ('pending', 'done', 'cancelled', 'failed'));
            ALTER TABLE scheduled_work ADD COLUMN retry_at timestamptz;
            ALTER TABLE scheduled_work ADD COLUMN failed_at timestamptz;
            """),
    ]
}
