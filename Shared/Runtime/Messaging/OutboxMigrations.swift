import Postgres

extension RuntimeMigrations {
    /// The outbox relay's migrations (versions 10-19).
    ///
    /// 10 — per-key seq order equals commit order. `seq` comes from a sequence when the row is
    /// inserted, not when its transaction commits: two concurrent transactions writing the same
    /// partition key could commit in the opposite order of their seqs, and the relay could then
    /// publish the higher seq before the lower one is even visible. The trigger makes writers of
    /// one key (per schema) queue on a transaction-scoped advisory lock and take their seq only
    /// once they hold it, so for each key: seq order = commit order, and any snapshot that sees a
    /// row of the key also sees every earlier row of it. Writers of different keys do not wait for
    /// each other (beyond rare hash collisions). A transaction writing several keys takes several
    /// locks; two such transactions taking them in opposite orders can deadlock (SQLSTATE 40P01,
    /// `PostgresError.isRetryable`, so the consumer's retry applies).
    ///
    /// 11 — the broker's cluster id the outbox was last published to (one row): a relay that finds
    /// another one, even right after its process started, knows the broker lost its data and
    /// republishes the outbox (``OutboxRelay``).
    ///
    /// 12 — the same trigger, cheaper per row: the sequence's qualified name is found once, when the
    /// trigger is created, and passed as its argument, instead of `pg_get_serial_sequence` (a
    /// `pg_depend` lookup) for every row inserted; an outbox row cost about 18 µs to insert with it
    /// and 11 µs without (psql, 20,000 rows, BENCHMARKS.md).
    ///
    /// 13 — a batch writer may take its keys' locks itself (``OutboxWriter``, all of a batch's keys
    /// at once, in key order) and then write its rows by COPY without the per-row trigger: the
    /// trigger is skipped while the transaction-local setting `ressus.outbox_keys_locked` is 'on',
    /// and `seq` gets its sequence back as a default for those rows. A row written the per-row way
    /// now draws two numbers (the default's, then the trigger's after the lock); `seq` is only an
    /// order, so the gaps mean nothing. 20,000 outbox rows in psql: 0.37 s by `INSERT … SELECT
    /// unnest` through the trigger, 0.15 s by COPY with it skipped (BENCHMARKS.md).
    ///
    /// 14 — "not yet published" is a row in `outbox_unsent` (its seq) instead of `outbox.sent_at
    /// IS NULL`: the relay marks a batch published by deleting its seqs there, where it used to
    /// update every outbox row. That UPDATE wrote a new version of each row (never a HOT update:
    /// full pages, and `sent_at` was indexed), so it cost about 10 µs a row and left the outbox's
    /// indexes and heap to vacuum; deleting a narrow row costs about 1.3 µs (psql, 100,000 rows,
    /// BENCHMARKS.md). Outbox rows are now written once and only ever deleted (by retention). The
    /// per-row trigger records its row as unsent; a batch writer holding its keys' locks
    /// (``OutboxWriter``) records its rows itself. The unsent row is written in the same statement
    /// or transaction as its outbox row, so both become visible together and per-key order is
    /// unchanged. Rows pending at the migration stay pending; `sent_at` is dropped. Retention still
    /// keeps every row for its full time after it was (last) sent: the relay notes, per minute, the
    /// lowest seq it marked sent in `outbox_sent_minutes` (one row updated per round), so every row
    /// sent within the retention has a seq at or above the lowest noted since its start.
    ///
    /// 15 — the stored CloudEvents headers are text, not jsonb. The writer makes them and the relay
    /// reads them back as text (``StoredHeaders``); nothing queries inside them, so parsing them
    /// into jsonb on every insert, and printing them back on every read, was work for nothing:
    /// about 2-3 µs of an outbox row's COPY (psql, 300,000 rows, BENCHMARKS.md). Existing rows keep
    /// jsonb's spacing, which the relay reads as any JSON whitespace.
    public static let outbox: [PostgresMigration] = [
        PostgresMigration(version: 10, name: "outbox seq in commit order per key", sql: """
            CREATE FUNCTION outbox_seq_per_key() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_advisory_xact_lock(hashtextextended(TG_TABLE_SCHEMA || '.outbox.key:' || NEW.partition_key, 0));
                NEW.seq := nextval(pg_get_serial_sequence(format('%I.%I', TG_TABLE_SCHEMA, TG_TABLE_NAME), 'seq'));
                RETURN NEW;
            END
            $$;
            ALTER TABLE outbox ALTER COLUMN seq DROP DEFAULT;
            CREATE TRIGGER outbox_seq_per_key BEFORE INSERT ON outbox
                FOR EACH ROW EXECUTE FUNCTION outbox_seq_per_key();
            """),
        PostgresMigration(version: 11, name: "outbox broker cluster", sql: """
            CREATE TABLE outbox_broker (
                singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
                cluster_id text NOT NULL,
                seen_at    timestamptz NOT NULL DEFAULT now()
            );
            """),
        PostgresMigration(version: 12, name: "outbox seq trigger without a sequence lookup per row", sql: """
            CREATE OR REPLACE FUNCTION outbox_seq_per_key() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_advisory_xact_lock(hashtextextended(TG_TABLE_SCHEMA || '.outbox.key:' || NEW.partition_key, 0));
                NEW.seq := nextval(TG_ARGV[0]::regclass);
                RETURN NEW;
            END
            $$;
            DROP TRIGGER outbox_seq_per_key ON outbox;
            DO $$ BEGIN
                EXECUTE format('CREATE TRIGGER outbox_seq_per_key BEFORE INSERT ON outbox '
                               'FOR EACH ROW EXECUTE FUNCTION outbox_seq_per_key(%L)', pg_get_serial_sequence('outbox', 'seq'));
            END $$;
            """),
        PostgresMigration(version: 13, name: "outbox seq trigger skipped for writers holding their keys' locks", sql: """
            DROP TRIGGER outbox_seq_per_key ON outbox;
            DO $$ BEGIN
                EXECUTE format('ALTER TABLE outbox ALTER COLUMN seq SET DEFAULT nextval(%L::regclass)',
                               pg_get_serial_sequence('outbox', 'seq'));
                EXECUTE format('CREATE TRIGGER outbox_seq_per_key BEFORE INSERT ON outbox FOR EACH ROW '
                               'WHEN (current_setting(''ressus.outbox_keys_locked'', true) IS DISTINCT FROM ''on'') '
                               'EXECUTE FUNCTION outbox_seq_per_key(%L)', pg_get_serial_sequence('outbox', 'seq'));
            END $$;
            """),
        PostgresMigration(version: 14, name: "outbox pending rows listed in outbox_unsent", sql: """
            CREATE TABLE outbox_unsent (seq bigint PRIMARY KEY);
            INSERT INTO outbox_unsent (seq) SELECT seq FROM outbox WHERE sent_at IS NULL;
            CREATE TABLE outbox_sent_minutes (
                minute      timestamptz PRIMARY KEY,
                lowest_seq  bigint NOT NULL
            );
            INSERT INTO outbox_sent_minutes (minute, lowest_seq)
            SELECT date_trunc('minute', sent_at), min(seq) FROM outbox WHERE sent_at IS NOT NULL GROUP BY 1;
            DROP INDEX outbox_pending;
            DROP INDEX outbox_sent_at;
            ALTER TABLE outbox DROP COLUMN sent_at;
            -- The unsent table is named with this schema, so the trigger does not depend on the
            -- writer's search_path.
            DO $migration$ BEGIN
                EXECUTE format($function$
                    CREATE OR REPLACE FUNCTION outbox_seq_per_key() RETURNS trigger LANGUAGE plpgsql AS $body$
                    BEGIN
                        PERFORM pg_advisory_xact_lock(hashtextextended(TG_TABLE_SCHEMA || '.outbox.key:' || NEW.partition_key, 0));
                        NEW.seq := nextval(TG_ARGV[0]::regclass);
                        INSERT INTO %I.outbox_unsent (seq) VALUES (NEW.seq);
                        RETURN NEW;
                    END
                    $body$
                    $function$, current_schema());
            END $migration$;
            """),
        PostgresMigration(version: 15, name: "outbox headers as text", sql: """
            ALTER TABLE outbox ALTER COLUMN headers TYPE text USING headers::text;
            """),
    ]
}
