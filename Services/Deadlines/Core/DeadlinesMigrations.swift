import Postgres
import Runtime

/// The deadlines schema (versions from 100; the runtime owns 1-99). Dates are business dates
/// (Brasília); amounts are integer centavos.
public enum DeadlinesMigrations {
    public static let all: [PostgresMigration] = [
        PostgresMigration(version: 100, name: "deadlines process", sql: """
            CREATE TABLE notifications (
                abi                integer NOT NULL,
                registro_ans       text NOT NULL,
                -- NULL until NotificationIssued arrives (a batch may come first).
                available_on       date,
                atendimento_count  integer,
                total_to_reimburse bigint,
                batch_count        integer,
                batches_received   integer NOT NULL DEFAULT 0,
                ciencia_on         date,
                ciencia_kind       text CHECK (ciencia_kind IN ('expressa', 'tacita')),
                window_end         date,
                original_due_date  date,
                state              text NOT NULL DEFAULT 'aguardando_cabecalho' CHECK (state IN
                    ('aguardando_cabecalho', 'aguardando_ciencia', 'prazo_impugnacao', 'prazo_encerrado')),
                PRIMARY KEY (abi, registro_ans)
            );
            CREATE TABLE notification_batches (
                abi          integer NOT NULL,
                registro_ans text NOT NULL,
                batch        integer NOT NULL,
                PRIMARY KEY (abi, registro_ans, batch),
                FOREIGN KEY (abi, registro_ans) REFERENCES notifications
            );
            CREATE TABLE atendimentos (
                document        text PRIMARY KEY,
                abi             integer NOT NULL,
                registro_ans    text NOT NULL,
                kind            text NOT NULL,
                competencia     text NOT NULL,
                original_amount bigint NOT NULL,
                state           text NOT NULL DEFAULT 'notificado' CHECK (state IN
                    ('notificado', 'impugnado', 'decidido', 'em_recurso', 'recurso_decidido', 'cobravel', 'anulado')),
                outcome         text,
                final_amount    bigint,
                released_on     date,
                payment_due_date date,
                FOREIGN KEY (abi, registro_ans) REFERENCES notifications
            );
            CREATE INDEX atendimentos_by_notification ON atendimentos (abi, registro_ans, state);
            CREATE TABLE impugnacoes (
                id             bigserial PRIMARY KEY,
                document       text NOT NULL,
                abi            integer NOT NULL,
                registro_ans   text NOT NULL,
                grounds        text NOT NULL CHECK (grounds IN ('tecnico', 'administrativo')),
                text           text NOT NULL,
                filed_on       date NOT NULL,
                status         text NOT NULL CHECK (status IN ('aceita', 'recusada')),
                refusal_reason text
            );
            CREATE UNIQUE INDEX impugnacoes_one_accepted ON impugnacoes (document) WHERE status = 'aceita';
            CREATE TABLE recursos (
                id             bigserial PRIMARY KEY,
                document       text NOT NULL,
                abi            integer NOT NULL,
                registro_ans   text NOT NULL,
                text           text NOT NULL,
                filed_on       date NOT NULL,
                status         text NOT NULL CHECK (status IN ('aceito', 'recusado')),
                refusal_reason text
            );
            CREATE UNIQUE INDEX recursos_one_accepted ON recursos (document) WHERE status = 'aceito';
            CREATE TABLE decisions (
                document           text NOT NULL REFERENCES atendimentos,
                instance           integer NOT NULL CHECK (instance IN (1, 2)),
                result             text NOT NULL CHECK (result IN ('deferida', 'parcial', 'indeferida')),
                amount             bigint NOT NULL,
                decided_on         date NOT NULL,
                ciencia_on         date,
                ciencia_kind       text CHECK (ciencia_kind IN ('expressa', 'tacita')),
                recurso_window_end date,
                PRIMARY KEY (document, instance)
            );
            \(OperatorRequestDesk.tableDDL())
            """),
        // DOMAIN §1: an APAC is identified by its number and competência (the number repeats for every
        // competência it covers), so an atendimento is keyed by its notification, document and
        // competência; filings and decisions carry the same key. Rows from before have one atendimento
        // per document, so the backfills below join on the document alone. A refused filing that named
        // no known atendimento keeps competência NULL.
        PostgresMigration(version: 101, name: "atendimentos keyed by notification, document and competencia", sql: """
            ALTER TABLE decisions DROP CONSTRAINT decisions_document_fkey;
            ALTER TABLE decisions DROP CONSTRAINT decisions_pkey;
            ALTER TABLE atendimentos DROP CONSTRAINT atendimentos_pkey;
            ALTER TABLE atendimentos ADD PRIMARY KEY (abi, registro_ans, document, competencia);
            ALTER TABLE decisions ADD COLUMN abi integer, ADD COLUMN registro_ans text, ADD COLUMN competencia text;
            UPDATE decisions d SET abi = a.abi, registro_ans = a.registro_ans, competencia = a.competencia
                FROM atendimentos a WHERE a.document = d.document;
            ALTER TABLE decisions ALTER COLUMN abi SET NOT NULL, ALTER COLUMN registro_ans SET NOT NULL,
                ALTER COLUMN competencia SET NOT NULL;
            ALTER TABLE decisions ADD PRIMARY KEY (abi, registro_ans, document, competencia, instance);
            ALTER TABLE decisions ADD FOREIGN KEY (abi, registro_ans, document, competencia) REFERENCES atendimentos;
            \(filingsKeyedByCompetencia("impugnacoes", accepted: "aceita"))
            \(filingsKeyedByCompetencia("recursos", accepted: "aceito"))
            """),
        // Operator requests (impugnação, decision, recurso) name an atendimento by its document
        // (`AtendimentoRow.select`); without this index each one scanned every atendimento tracked
        // (measured in the load replay: 9,715 scans of 100,000 rows for 9,952 decisions).
        PostgresMigration(version: 102, name: "atendimentos by document", sql: """
            CREATE INDEX atendimentos_by_document ON atendimentos (document);
            """),
        // Every atendimento is updated once when released (`releaseNotifiedOfMany`), which rewrote it
        // in all three indexes because `atendimentos_by_notification` held `state`. That index only
        // repeated the primary key's leading (abi, registro_ans), which serves every query by
        // notification; without it, and with room left on each page, the release is a HOT update
        // (in psql, 100,000 rows: the release 1.48 s → 0.25 s, their insert 1.09 s → 0.91 s).
        // 60% of each page is left free: a released row is about 1.4 times the row inserted (outcome,
        // final amount and dates filled), and at 50% one release in eight still left its page.
        // The fill factor applies to pages written from now on.
        PostgresMigration(version: 103, name: "atendimentos released in place", sql: """
            DROP INDEX atendimentos_by_notification;
            ALTER TABLE atendimentos SET (fillfactor = 40);
            """),
    ]

    /// Migration 101 for a filings table (impugnações or recursos): the competência column, backfilled
    /// from the atendimento, and one accepted filing per atendimento key.
    private static func filingsKeyedByCompetencia(_ table: String, accepted: String) -> String {
        """
        ALTER TABLE \(table) ADD COLUMN competencia text;
        UPDATE \(table) f SET competencia = a.competencia FROM atendimentos a
            WHERE a.document = f.document AND a.abi = f.abi AND a.registro_ans = f.registro_ans;
        DROP INDEX \(table)_one_accepted;
        CREATE UNIQUE INDEX \(table)_one_accepted ON \(table) (abi, registro_ans, document, competencia)
            WHERE status = '\(accepted)';
        """
    }
}
