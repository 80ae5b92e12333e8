import Postgres

/// The report publisher's schema (versions from 100; the runtime owns 1-99). Two kinds of table:
///
/// - the **read model** (`rm_*`), built only from events and rebuildable from the topics at any time
///   (``ReadModelRebuild``);
/// - the **portal's own data** (`portal_*`: accounts, sessions, login failures), which no event
///   carries and a rebuild never touches.
///
/// Dates are business dates (Brasília); amounts are integer centavos.
public enum ReportPublisherMigrations {
    /// Read-model tables, in an order that TRUNCATE accepts (a rebuild empties them all).
    public static let readModelTables = [
        "rm_applied_events", "rm_operadoras", "rm_notifications", "rm_atendimentos", "rm_charges", "rm_grus",
        "rm_gru_history", "rm_payments", "rm_parcelamentos", "rm_cadin", "rm_selic_rates",
        "rm_atendimento_counts", "rm_gru_counts", "rm_charge_atendimento_counts", "rm_charge_rounds",
    ]

    public static let all: [PostgresMigration] = [
        PostgresMigration(version: 100, name: "report publisher read model", sql: """
            -- Events already applied to the read model (any consumer: the service or a rebuild).
            CREATE TABLE rm_applied_events (event_id uuid PRIMARY KEY);
            CREATE TABLE rm_operadoras (
                registro_ans text PRIMARY KEY,
                cnpj         text NOT NULL,
                cnpj_root    text NOT NULL,
                razao_social text NOT NULL,
                email        text NOT NULL
            );
            CREATE INDEX rm_operadoras_by_root ON rm_operadoras (cnpj_root);
            CREATE TABLE rm_notifications (
                abi                  integer NOT NULL,
                registro_ans         text NOT NULL,
                available_on         date,
                atendimento_count    integer,
                total_to_reimburse   bigint,
                ciencia_on           date,
                ciencia_kind         text,
                impugnacao_window_end date,
                PRIMARY KEY (registro_ans, abi)
            );
            -- Topics are not ordered with each other: a process step or a charge may arrive before the
            -- notification's batch, so a row may start with only its keys; the batch fills the rest.
            CREATE TABLE rm_atendimentos (
                registro_ans   text NOT NULL,
                document       text NOT NULL,
                abi            integer NOT NULL,
                kind           text,
                competencia    text,
                care_start     date,
                procedure_code text,
                amount         bigint,
                -- The administrative process: notificado, impugnado, deferido, parcialmente_deferido,
                -- indeferido, em_recurso, recurso_deferido, recurso_parcial, recurso_indeferido,
                -- cobravel, anulado.
                process_state  text NOT NULL DEFAULT 'notificado',
                final_amount   bigint,
                note           text,
                charge_id      text,
                updated_on     date,
                PRIMARY KEY (registro_ans, document)
            );
            CREATE INDEX rm_atendimentos_by_charge ON rm_atendimentos (charge_id);
            CREATE INDEX rm_atendimentos_listing ON rm_atendimentos (registro_ans, abi, document);
            CREATE TABLE rm_charges (
                charge_id    text PRIMARY KEY,
                registro_ans text NOT NULL,
                abi          integer NOT NULL,
                total        bigint NOT NULL,
                gru_number   text,
                issued_on    date NOT NULL
            );
            CREATE TABLE rm_grus (
                gru_number     text PRIMARY KEY,
                registro_ans   text NOT NULL,
                purpose        text NOT NULL,
                abis           text NOT NULL,
                principal      bigint NOT NULL,
                multa          bigint NOT NULL,
                juros          bigint NOT NULL,
                amount         bigint NOT NULL,
                issued_on      date NOT NULL,
                due_date       date NOT NULL,
                accrual_date   date NOT NULL,
                state          text NOT NULL,
                open_principal bigint NOT NULL,
                paid_total     bigint NOT NULL DEFAULT 0,
                credit         bigint NOT NULL DEFAULT 0,
                replaces       text,
                replaced_by    text,
                parcelamento_id text,
                installment    integer,
                court_process  text,
                linha_digitavel text NOT NULL
            );
            CREATE INDEX rm_grus_by_operadora ON rm_grus (registro_ans, issued_on, gru_number);
            -- Every state of every GRU from its issue on, so a report can be drawn as of any date.
            CREATE TABLE rm_gru_history (
                gru_number     text NOT NULL,
                seq            bigserial,
                effective_on   date NOT NULL,
                state          text NOT NULL,
                open_principal bigint NOT NULL,
                paid_total     bigint NOT NULL,
                credit         bigint NOT NULL,
                accrual_date   date NOT NULL,
                reason         text NOT NULL,
                PRIMARY KEY (gru_number, seq)
            );
            CREATE TABLE rm_payments (
                payment_id     text PRIMARY KEY,
                gru_number     text NOT NULL,
                registro_ans   text,
                amount         bigint NOT NULL,
                paid_on        date NOT NULL,
                classification text NOT NULL
            );
            CREATE INDEX rm_payments_by_gru ON rm_payments (gru_number);
            CREATE TABLE rm_parcelamentos (
                parcelamento_id   text PRIMARY KEY,
                registro_ans      text NOT NULL,
                state             text NOT NULL,
                effective_on      date NOT NULL,
                consolidated      bigint NOT NULL,
                installment_count integer NOT NULL,
                installment_base  bigint NOT NULL,
                paid_installments integer NOT NULL,
                missed_installments integer NOT NULL,
                unpaid_balance    bigint NOT NULL
            );
            CREATE TABLE rm_cadin (
                registro_ans text NOT NULL,
                gru_number   text NOT NULL,
                registered   boolean NOT NULL,
                effective_on date NOT NULL,
                PRIMARY KEY (registro_ans, gru_number)
            );
            -- SELIC months published after the seed table (SelicRatesPublished), in basis points.
            CREATE TABLE rm_selic_rates (
                month        text PRIMARY KEY,
                basis_points bigint NOT NULL,
                version      text NOT NULL
            );
            """),
        PostgresMigration(version: 101, name: "report publisher portal", sql: """
            CREATE TABLE portal_accounts (
                cnpj_root     text PRIMARY KEY,
                -- scrypt$N$r$p$salt-hex$hash-hex (see PasswordHasher); never the password itself.
                password_hash text NOT NULL,
                created_at    timestamptz NOT NULL DEFAULT now(),
                updated_at    timestamptz NOT NULL DEFAULT now()
            );
            -- Consecutive failed logins per CNPJ root, for the lockout (PortalPolicy).
            CREATE TABLE portal_login_failures (
                cnpj_root     text PRIMARY KEY,
                failures      integer NOT NULL,
                last_failure  timestamptz NOT NULL,
                locked_until  timestamptz
            );
            CREATE TABLE portal_sessions (
                -- SHA-256 of the session cookie's value (the value itself is never stored).
                token_hash    text PRIMARY KEY,
                cnpj_root     text NOT NULL,
                csrf_token    text NOT NULL,
                created_at    timestamptz NOT NULL,
                expires_at    timestamptz NOT NULL
            );
            CREATE INDEX portal_sessions_by_root ON portal_sessions (cnpj_root);
            -- Ciências given in the portal (what was requested of the deadlines service).
            CREATE TABLE portal_ciencia_requests (
                registro_ans  text NOT NULL,
                abi           integer NOT NULL,
                requested_on  date NOT NULL,
                requested_at  timestamptz NOT NULL,
                cnpj_root     text NOT NULL,
                PRIMARY KEY (registro_ans, abi)
            );
            """),
        // DOMAIN §1: an APAC is its number and competência (the number repeats for every competência it
        // covers), so the situação dos atendimentos keeps one row per document and competência. A row
        // a process step created before its batch arrived, from an event without competência, keeps ''.
        PostgresMigration(version: 102, name: "read model atendimentos keyed by document and competencia", sql: """
            UPDATE rm_atendimentos SET competencia = '' WHERE competencia IS NULL;
            ALTER TABLE rm_atendimentos ALTER COLUMN competencia SET DEFAULT '',
                ALTER COLUMN competencia SET NOT NULL;
            ALTER TABLE rm_atendimentos DROP CONSTRAINT rm_atendimentos_pkey;
            ALTER TABLE rm_atendimentos ADD PRIMARY KEY (registro_ans, document, competencia);
            """),
        // The atendimentos list is ordered by ABI descending, then document and competência ascending: an index in
        // that order serves its pages by index scan (report-benchmark: page 1 of 50,000 atendimentos
        // from 30 ms to under 1 ms), where the ascending one needed a sort of the operadora's rows.
        PostgresMigration(version: 103, name: "report publisher atendimentos listing order", sql: """
            DROP INDEX rm_atendimentos_listing;
            CREATE INDEX rm_atendimentos_listing ON rm_atendimentos (registro_ans, abi DESC, document, competencia);
            """),
        // The situation of a charged atendimento follows its GRU (and parcelamento); computing it at read
        // time joined every atendimento of the operadora with charges and GRUs for a situation filter.
        // The projection now keeps it in `charge_situation` (``Projection/staleChargeSituations``),
        // and the situation the portal shows and filters on is ``ReadModelQueries/situation``, indexed.
        PostgresMigration(version: 104, name: "report publisher stored atendimento situation", sql: """
            ALTER TABLE rm_atendimentos ADD COLUMN charge_situation text;
            CREATE INDEX rm_charges_by_gru ON rm_charges (gru_number);
            CREATE INDEX rm_grus_by_parcelamento ON rm_grus (parcelamento_id);
            UPDATE rm_atendimentos a SET charge_situation = \(ReadModelQueries.chargeSituation)
            FROM rm_charges c
            LEFT JOIN rm_grus g ON g.gru_number = c.gru_number
            LEFT JOIN rm_parcelamentos p ON p.parcelamento_id = g.parcelamento_id
            WHERE a.charge_id = c.charge_id;
            CREATE INDEX rm_atendimentos_by_situation
                ON rm_atendimentos (registro_ans, (\(storedSituation())), abi DESC, document, competencia);
            """),
        // The portal's lists show how many rows match ("Atendimentos (50000)", "Página 3 de 1000");
        // counting them at read time scanned all of a large operadora's atendimentos on every page.
        // The counts are kept per (operadora, ABI, kind, situation) and per operadora for GRUs by
        // statement-level triggers: every statement that writes the tables (one row or a whole
        // batch, whatever code path) adjusts them once from its transition tables. TRUNCATE (a
        // rebuild) empties them with the other read-model tables.
        PostgresMigration(version: 105, name: "report publisher list counts", sql: """
            CREATE TABLE rm_atendimento_counts (
                registro_ans text NOT NULL,
                abi          integer NOT NULL,
                kind         text NOT NULL,     -- '' while the notification's batch has not arrived
                situation    text NOT NULL,
                count        bigint NOT NULL,
                PRIMARY KEY (registro_ans, abi, kind, situation)
            );
            \(countTrigger(table: "rm_atendimentos", counts: "rm_atendimento_counts",
                           key: ["registro_ans", "abi", "coalesce(kind, '')", storedSituation()],
                           keyColumns: ["registro_ans", "abi", "kind", "situation"]))
            CREATE TABLE rm_gru_counts (
                registro_ans text PRIMARY KEY,
                count        bigint NOT NULL
            );
            \(countTrigger(table: "rm_grus", counts: "rm_gru_counts", key: ["registro_ans"], keyColumns: ["registro_ans"]))
            """),
        // Each atendimento is written up to four times (its batch, its chargeable event, its charge, and
        // every change of its GRU's situation); with indexes on `charge_id` and on the situation, none
        // of the three updates could be a HOT update, so each wrote a new entry in all four indexes
        // (load replay: 300,012 updates, 0 HOT; the indexes 56 MB against a 32 MB table). Without
        // them, and with room left in each page, the updates stay on their page and touch no index.
        // A charge's atendimentos are found through the documents it keeps (`documents`, from its
        // event) and the primary key, and only when its situation changed: the charge records the one
        // its atendimentos were given (`situation`). A situation filter reads the list's index in
        // its order and checks the stored situation of each row (its total comes from
        // `rm_atendimento_counts`).
        PostgresMigration(version: 106, name: "report publisher atendimento updates in place", sql: """
            ALTER TABLE rm_charges ADD COLUMN documents text[] NOT NULL DEFAULT '{}';
            -- The situation the charge's atendimentos were last given (NULL: not known to be one for all).
            ALTER TABLE rm_charges ADD COLUMN situation text;
            UPDATE rm_charges c SET documents = x.documents, situation = x.situation
            FROM (SELECT charge_id, array_agg(DISTINCT document ORDER BY document) AS documents,
                         CASE WHEN count(DISTINCT charge_situation) = 1 AND count(*) = count(charge_situation)
                              THEN min(charge_situation) END AS situation
                  FROM rm_atendimentos WHERE charge_id IS NOT NULL GROUP BY charge_id) x
            WHERE c.charge_id = x.charge_id;
            DROP INDEX rm_atendimentos_by_charge;
            DROP INDEX rm_atendimentos_by_situation;
            -- An event updates all of a notification's atendimentos, which its batch wrote side by side, in
            -- one transaction: each page must hold a new version of every row on it before the old ones
            -- can be pruned. A row grows from about 105 bytes as notified to 170 with its charge, so a
            -- page filled to 25% by the batch (18 rows) still has room for two versions of each.
            ALTER TABLE rm_atendimentos SET (fillfactor = 25);
            """),
        // A charged atendimento's situation is its charge's, kept on the charge alone
        // (`rm_charges.situation`, ``ReadModelQueries/situation(of:)``): a GRU's change, a payment
        // or a parcelamento now writes the charges it concerns, not every atendimento they cover
        // (a 50-atendimento charge: one row written instead of 50), and the chargeable event links
        // its atendimentos to their charge (`AtendimentosChargeable.chargeID`), so the charge's own
        // event finds them linked and writes none (report-benchmark `--por-evento 50`: 598,000
        // atendimento updates fewer). The list counts follow: the atendimentos' triggers take
        // the charge's situation, and keep how many atendimentos each charge has per ABI and kind
        // (`rm_charge_atendimento_counts`), which a charge's triggers move from its old situation to
        // the new one.
        PostgresMigration(version: 107, name: "report publisher situation kept by charge", sql: """
            UPDATE rm_charges c SET situation = x.situation
            FROM (SELECT c.charge_id, \(ReadModelQueries.chargeSituation) AS situation FROM rm_charges c
                  LEFT JOIN rm_grus g ON g.gru_number = c.gru_number
                  LEFT JOIN rm_parcelamentos p ON p.parcelamento_id = g.parcelamento_id) x
            WHERE c.charge_id = x.charge_id;
            DROP TRIGGER rm_atendimento_counts_insert ON rm_atendimentos;
            DROP TRIGGER rm_atendimento_counts_update ON rm_atendimentos;
            DROP TRIGGER rm_atendimento_counts_delete ON rm_atendimentos;
            DROP FUNCTION rm_atendimento_counts_insert(), rm_atendimento_counts_update(), rm_atendimento_counts_delete();
            ALTER TABLE rm_atendimentos DROP COLUMN charge_situation;
            DELETE FROM rm_atendimento_counts;
            CREATE TABLE rm_charge_atendimento_counts (
                charge_id text NOT NULL,
                abi       integer NOT NULL,
                kind      text NOT NULL,     -- '' while the notification's batch has not arrived
                count     bigint NOT NULL,
                PRIMARY KEY (charge_id, abi, kind)
            );
            \(atendimentoCountTriggers())
            \(chargeSituationTriggers)
            """),
        // A first-round chargeable event (every atendimento not impugned, at its amount: most of
        // them) is kept as one row, its charge and its range of (document, competência) in the
        // notification (`rm_charge_rounds`), instead of writing each atendimento it releases: a
        // notificado atendimento within a round's range is charged by it
        // (``ReadModelQueries/charge(of:)``). Any write of a row costs 5-7 µs here, and this was the
        // second write of every atendimento (report-benchmark `--por-evento 50`, BENCHMARKS.md).
        // The atendimentos' count triggers take the round's charge; a new round moves the counts of
        // the rows it covers (already there) from notificado to its charge's situation. Rounds are
        // only inserted (a rebuild truncates them).
        PostgresMigration(version: 108, name: "report publisher chargeable rounds", sql: """
            CREATE TABLE rm_charge_rounds (
                charge_id         text PRIMARY KEY,
                registro_ans      text NOT NULL,
                abi               integer NOT NULL,
                first_document    text NOT NULL,
                first_competencia text NOT NULL,
                last_document     text NOT NULL,
                last_competencia  text NOT NULL,
                chargeable_on     date NOT NULL
            );
            CREATE INDEX rm_charge_rounds_by_range ON rm_charge_rounds (registro_ans, abi, first_document, first_competencia);
            DROP TRIGGER rm_atendimento_counts_insert ON rm_atendimentos;
            DROP TRIGGER rm_atendimento_counts_update ON rm_atendimentos;
            DROP TRIGGER rm_atendimento_counts_delete ON rm_atendimentos;
            DROP FUNCTION rm_atendimento_counts_insert(), rm_atendimento_counts_update(), rm_atendimento_counts_delete();
            \(atendimentoCountTriggers(charge: roundAwareCharge, loadExisting: false))
            \(roundCountTrigger)
            """),
        // Writing a round onto its rows (``RoundCompaction``) changes no count: each row goes from
        // its round's charge to the same charge, linked. The atendimentos' update trigger skips the
        // statement when the compaction says so (a transaction-local setting): otherwise it looked
        // each old row's round up for a net change of nothing, 3.0 of the compaction's 7.4 s for
        // 598,000 rows in report-benchmark.
        PostgresMigration(version: 109, name: "report publisher compaction skips the atendimento counts", sql: """
            CREATE OR REPLACE FUNCTION rm_atendimento_counts_update() RETURNS trigger LANGUAGE plpgsql \(indexLookups) AS $$
            BEGIN
                IF current_setting('\(RoundCompaction.countsUnchanged)', true) = 'on' THEN
                    RETURN NULL;
                END IF;
                \(atendimentoCounts([("counted_new", "1"), ("counted_old", "-1")], charge: roundAwareCharge));
                RETURN NULL;
            END $$;
            """),
        // The statement recording rounds (``Projection/insertRounds``) finds each round's rows once,
        // for its guard and for their counts, and moves the counts itself: the rounds' count
        // trigger, which found them a second time (0.64 s of the 1.67 s the rounds of 598,000
        // atendimentos took in report-benchmark), goes.
        PostgresMigration(version: 110, name: "report publisher rounds counted by their statement", sql: """
            DROP TRIGGER rm_charge_round_counts_insert ON rm_charge_rounds;
            DROP FUNCTION rm_charge_round_counts_insert();
            """),
        // The service's inbox applies each event id once, so its handler no longer records them
        // again (``ReadModelHandler/Idempotency/inbox``: one write per event less); the applied ids
        // are kept for a rebuild only. Those the inbox holds as applied are not needed any more
        // (``ReadModelRebuild/forgetSeen``).
        PostgresMigration(version: 111, name: "report publisher applied ids kept for a rebuild only", sql: """
            DELETE FROM rm_applied_events a
            WHERE EXISTS (SELECT 1 FROM inbox i WHERE i.event_id = a.event_id AND i.outcome = 'applied');
            """),
    ]

    /// The situation of migrations 104-106, stored on each atendimento (`charge_situation`); as
    /// written then (an applied migration's text must not change).
    private static func storedSituation(_ table: String = "") -> String {
        "CASE WHEN \(table)charge_id IS NULL THEN \(table)process_state "
            + "ELSE COALESCE(\(table)charge_situation, 'cobrado_acumulado') END"
    }

    /// The setting of the trigger functions that look rows up by key: their plans are made, and
    /// kept for the session, while the read model's tables are still small and not yet analyzed,
    /// and a sequential scan planned then stays as they grow (report-benchmark `--por-evento 50`:
    /// the read model's 44,850 events from 13.8-14.4 s to 12.1-12.6 s with this setting).
    static let indexLookups = "SET enable_seqscan = off"

    /// Triggers on `rm_atendimentos` keeping `rm_atendimento_counts` (per operadora, ABI, kind and
    /// situation, ``ReadModelQueries/situation(of:)``) and `rm_charge_atendimento_counts` (per
    /// charge, ABI and kind) equal to its rows, as ``countTrigger`` does; counts of the rows already
    /// there are loaded at once. The changed rows are first summed per charge and process state, so
    /// a charge's situation is looked up once per statement, not once per atendimento.
    ///
    /// `charge` gives a row's charge from its table's name: migration 107 took `charge_id`,
    /// migration 108 ``ReadModelQueries/charge(of:)`` (also the chargeable round's); `loadExisting`
    /// loads the counts of the rows already there first.
    static func atendimentoCountTriggers(charge: @escaping (String) -> String = { _ in "charge_id" }, loadExisting: Bool = true) -> String {
        (loadExisting ? atendimentoCounts([("rm_atendimentos", "1")], charge: charge) + ";\n" : "")
            + statementTriggers(on: "rm_atendimentos", named: "rm_atendimento_counts", settings: " \(indexLookups)") {
                atendimentoCounts($0, charge: charge)
            }
    }

    /// Migration 108's charge of an atendimento row (its table's name): the linked one or its round's.
    static func roundAwareCharge(_ table: String) -> String { "\(ReadModelQueries.charge(of: table)) AS charge_id" }

    /// The body of ``atendimentoCountTriggers``: the (table, delta) sources' rows added to the counts.
    static func atendimentoCounts(_ sources: [(String, String)], charge: (String) -> String) -> String {
        let rows = sources.map { "SELECT registro_ans, abi, coalesce(kind, '') AS kind, process_state, \(charge($0.0)), \($0.1) AS delta "
            + "FROM \($0.0)" }.joined(separator: " UNION ALL ")
        return """
            WITH c AS MATERIALIZED (
                SELECT registro_ans, abi, kind, process_state, charge_id, sum(delta) AS delta FROM (\(rows)) r
                GROUP BY 1, 2, 3, 4, 5 HAVING sum(delta) <> 0
            ), per_charge AS (
                INSERT INTO rm_charge_atendimento_counts AS t (charge_id, abi, kind, count)
                    SELECT charge_id, abi, kind, sum(delta) FROM c WHERE charge_id IS NOT NULL
                    GROUP BY 1, 2, 3 HAVING sum(delta) <> 0
                    ON CONFLICT (charge_id, abi, kind) DO UPDATE SET count = t.count + excluded.count
            )
            INSERT INTO rm_atendimento_counts AS t (registro_ans, abi, kind, situation, count)
                SELECT registro_ans, abi, kind, \(ReadModelQueries.situation(ofCharged: "c")), sum(delta) FROM c
                GROUP BY 1, 2, 3, 4 HAVING sum(delta) <> 0
                ON CONFLICT (registro_ans, abi, kind, situation) DO UPDATE SET count = t.count + excluded.count
            """
    }

    /// Triggers on `rm_charges` keeping `rm_atendimento_counts` when a charge's situation changes (or
    /// a charge appears or goes: without it, its atendimentos count as cobrável): its atendimentos'
    /// counts, kept per charge, are added under its new situation and taken from its old one (a
    /// charge whose situation stayed nets to nothing). Old and new rows are read apart, not joined:
    /// a join of two transition tables planned once per session, while they were small, cost 24 ms
    /// per statement in report-benchmark; read apart, 1.6 ms.
    static var chargeSituationTriggers: String {
        statementTriggers(on: "rm_charges", named: "rm_charge_situation_counts", settings: " \(indexLookups)") { sources in
            // A charge that appears (only new rows) was missing before; one that goes, is missing after.
            let rows = sources.map { ($0.0, "situation", $0.1) }
                + (sources.count == 1 ? [(sources[0].0, "NULL", sources[0].1 == "1" ? "-1" : "1")] : [])
            let changes = rows.map { "SELECT charge_id, registro_ans, \($0.1)::text AS situation, \($0.2) AS delta FROM \($0.0)" }
                .joined(separator: " UNION ALL ")
            return """
                INSERT INTO rm_atendimento_counts AS t (registro_ans, abi, kind, situation, count)
                        SELECT ch.registro_ans, k.abi, k.kind, COALESCE(ch.situation, '\(ReadModelQueries.situationWithoutCharge)'),
                            sum(ch.delta * k.count)
                        FROM (\(changes)) AS ch
                        CROSS JOIN LATERAL (SELECT abi, kind, count FROM rm_charge_atendimento_counts
                                            WHERE charge_id = ch.charge_id OFFSET 0) k
                        GROUP BY 1, 2, 3, 4 HAVING sum(ch.delta * k.count) <> 0
                        ON CONFLICT (registro_ans, abi, kind, situation) DO UPDATE SET count = t.count + excluded.count
                """
        }
    }

    /// The counts of the rows new rounds cover (`m`: charge, registro, ABI, kind and how many)
    /// added under each charge. Laid out as migration 108's text has it.
    static let roundChargeCounts = """
        INSERT INTO rm_charge_atendimento_counts AS t (charge_id, abi, kind, count)
                    SELECT charge_id, abi, kind, count FROM m
                    ON CONFLICT (charge_id, abi, kind) DO UPDATE SET count = t.count + excluded.count
        """
    /// The same rows (`m`) moved from notificado to their charge's situation in the list counts.
    static let roundSituationCounts = """
        INSERT INTO rm_atendimento_counts AS t (registro_ans, abi, kind, situation, count)
                SELECT registro_ans, abi, kind, situation, sum(delta) FROM (
                    SELECT registro_ans, abi, kind, 'notificado' AS situation, -count AS delta FROM m
                    UNION ALL
                    SELECT m.registro_ans, m.abi, m.kind,
                        COALESCE((SELECT s.situation FROM rm_charges s WHERE s.charge_id = m.charge_id),
                                 '\(ReadModelQueries.situationWithoutCharge)'), m.count
                    FROM m
                ) x
                GROUP BY 1, 2, 3, 4 HAVING sum(delta) <> 0
                ON CONFLICT (registro_ans, abi, kind, situation) DO UPDATE SET count = t.count + excluded.count
        """

    /// Migration 108's statement-level trigger on `rm_charge_rounds` inserts (dropped by migration
    /// 110: ``Projection/insertRounds`` moves the counts itself; kept as 108's text): the rows a new round covers
    /// (notificado, not linked, within its range; already there: later ones are counted by the
    /// atendimentos' triggers) move from notificado to its charge's situation, and are counted
    /// under the charge (`rm_charge_atendimento_counts`) for the charges' triggers.
    static let roundCountTrigger = """
        CREATE FUNCTION rm_charge_round_counts_insert() RETURNS trigger LANGUAGE plpgsql \(indexLookups) AS $$
        BEGIN
            WITH m AS MATERIALIZED (
                SELECT n.charge_id, n.registro_ans, n.abi, a.kind, count(*) AS count
                FROM counted_new n
                CROSS JOIN LATERAL (SELECT coalesce(a.kind, '') AS kind FROM rm_atendimentos a
                                    WHERE \(ReadModelQueries.roundRows("a", of: "n")) OFFSET 0) a
                GROUP BY 1, 2, 3, 4
            ), per_charge AS (
                \(roundChargeCounts)
            )
            \(roundSituationCounts);
            RETURN NULL;
        END $$;
        CREATE TRIGGER rm_charge_round_counts_insert AFTER INSERT ON rm_charge_rounds REFERENCING NEW TABLE AS counted_new
            FOR EACH STATEMENT EXECUTE FUNCTION rm_charge_round_counts_insert();
        """

    /// Keeps `counts` (`keyColumns` + `count`) equal to the rows of `table` grouped by `key` (the
    /// expressions giving `keyColumns`): a statement-level trigger per event, each adding its new
    /// rows and subtracting its old ones in one upsert; counts of the rows already there are
    /// loaded at once.
    static func countTrigger(table: String, counts: String, key: [String], keyColumns: [String]) -> String {
        let columns = keyColumns.joined(separator: ", ")
        func grouped(_ source: String, _ delta: String) -> String {
            "SELECT \(zip(key, keyColumns).map { "\($0) AS \($1)" }.joined(separator: ", ")), \(delta) AS delta FROM \(source)"
        }
        func upsert(_ sources: [(String, String)]) -> String {
            """
            INSERT INTO \(counts) AS t (\(columns), count)
                SELECT \(columns), sum(delta) FROM (\(sources.map { grouped($0.0, $0.1) }.joined(separator: " UNION ALL "))) changes
                GROUP BY \(columns) HAVING sum(delta) <> 0
                ON CONFLICT (\(columns)) DO UPDATE SET count = t.count + excluded.count
            """
        }
        return upsert([(table, "1")]) + ";\n" + statementTriggers(on: table, named: counts, body: upsert)
    }

    /// Statement-level AFTER INSERT, UPDATE and DELETE triggers on `table`, their functions named
    /// `<name>_insert` and so on (`settings`: a `SET` clause, with its leading space), each running
    /// `body` of its transition tables as (table, delta) sources: new rows +1, old rows -1.
    static func statementTriggers(on table: String, named name: String, settings: String = "",
                                  body: ([(String, String)]) -> String) -> String {
        var sql = ""
        for (event, sources, referencing) in [
            ("INSERT", [("counted_new", "1")], "NEW TABLE AS counted_new"),
            ("UPDATE", [("counted_new", "1"), ("counted_old", "-1")], "OLD TABLE AS counted_old NEW TABLE AS counted_new"),
            ("DELETE", [("counted_old", "-1")], "OLD TABLE AS counted_old"),
        ] {
            let function = "\(name)_\(event.lowercased())"
            sql += """
                CREATE FUNCTION \(function)() RETURNS trigger LANGUAGE plpgsql\(settings) AS $$
                BEGIN
                    \(body(sources));
                    RETURN NULL;
                END $$;
                CREATE TRIGGER \(function) AFTER \(event) ON \(table) REFERENCING \(referencing)
                    FOR EACH STATEMENT EXECUTE FUNCTION \(function)();

                """
        }
        return sql
    }
}
