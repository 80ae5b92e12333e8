import Postgres
import Runtime

/// The FNS transfer recorder's schema (versions from 100; the runtime owns 1-99). Dates are business
/// dates (Brasília); amounts are integer centavos; months are `YYYY-MM` text.
public enum FNSMigrations {
    public static let all: [PostgresMigration] = [
        PostgresMigration(version: 100, name: "settlements and repasses", sql: """
            -- One row per collection month with settled money; transfers and late settlements lock it,
            -- so a settlement is never left behind by a repasse committing at the same time.
            CREATE TABLE collection_months (
                month             text PRIMARY KEY CHECK (month ~ '^[0-9]{4}-[0-9]{2}$'),
                first_recorded_on date NOT NULL
            );
            CREATE TABLE repasses (
                repasse_id     text PRIMARY KEY,
                collection_month text NOT NULL REFERENCES collection_months,
                sequence       integer NOT NULL CHECK (sequence >= 1),
                kind           text NOT NULL CHECK (kind IN ('regular', 'complementar')),
                trigger        text NOT NULL CHECK (trigger IN ('agendado', 'operador', 'liquidacao_tardia')),
                transferred_on date NOT NULL,
                principal      bigint NOT NULL,
                multa          bigint NOT NULL,
                juros          bigint NOT NULL,
                total          bigint NOT NULL,
                payment_count  integer NOT NULL CHECK (payment_count > 0),
                UNIQUE (collection_month, sequence),
                -- A month has exactly one regular transfer; later ones are complementary.
                CHECK ((sequence = 1) = (kind = 'regular')),
                CHECK (principal + multa + juros = total)
            );
            -- Each PaymentSettled, in the month of its payment date; transferred once (repasse_id).
            CREATE TABLE settlements (
                payment_id       text PRIMARY KEY,
                event_id         uuid NOT NULL,
                gru_number       text NOT NULL,
                registro_ans     text NOT NULL,
                paid_on          date NOT NULL,
                collection_month text NOT NULL REFERENCES collection_months,
                principal        bigint NOT NULL,
                multa            bigint NOT NULL,
                juros            bigint NOT NULL,
                total            bigint NOT NULL,
                -- Paid an installment GRU of a parcelamento (counted as parcelled, not as paid).
                installment      boolean NOT NULL,
                recorded_on      date NOT NULL,
                repasse_id       text REFERENCES repasses,
                CHECK (principal + multa + juros = total)
            );
            CREATE INDEX settlements_pending ON settlements (collection_month) WHERE repasse_id IS NULL;
            CREATE INDEX settlements_by_repasse ON settlements (repasse_id);

            -- The other services' events, for the Dados Gerais and the accounting export.
            CREATE TABLE notifications (
                abi               integer NOT NULL,
                registro_ans      text NOT NULL,
                available_on      date NOT NULL,
                atendimento_count integer NOT NULL,
                total             bigint NOT NULL,
                PRIMARY KEY (abi, registro_ans)
            );
            CREATE TABLE atendimentos (
                document text PRIMARY KEY,
                amount   bigint NOT NULL
            );
            CREATE TABLE impugnacoes (
                document text PRIMARY KEY,
                filed_on date NOT NULL
            );
            CREATE TABLE released_atendimentos (
                document        text PRIMARY KEY,
                outcome         text NOT NULL,
                original_amount bigint NOT NULL,
                final_amount    bigint NOT NULL,
                released_on     date NOT NULL
            );
            CREATE TABLE charges (
                charge_id         text PRIMARY KEY,
                registro_ans      text NOT NULL,
                abi               integer NOT NULL,
                issued_on         date NOT NULL,
                atendimento_count integer NOT NULL,
                total             bigint NOT NULL
            );
            CREATE TABLE grus (
                gru_number     text PRIMARY KEY,
                registro_ans   text NOT NULL,
                purpose        text NOT NULL,
                -- Set for installment GRUs (and their reissues).
                parcelamento_id text,
                principal      bigint NOT NULL,
                open_principal bigint NOT NULL,
                state          text NOT NULL
            );
            -- GRUs entering parcelada, suspensa judicialmente or inscrita em dívida ativa, with the
            -- principal open when they did (once per GRU, state and day: replays change nothing).
            CREATE TABLE gru_transitions (
                gru_number   text NOT NULL,
                state        text NOT NULL,
                effective_on date NOT NULL,
                amount       bigint NOT NULL,
                event_id     uuid NOT NULL,
                PRIMARY KEY (gru_number, state, effective_on)
            );

            \(OperatorRequestDesk.tableDDL())
            """),
        // DOMAIN §1: an APAC is its number and competência (the number repeats for every competência it
        // covers), so the atendimentos counted in the Dados Gerais are keyed by document and competência.
        // Rows recorded before keep competência '' (unknown); events without it (written before the
        // contracts carried it) resolve to the document's only known competência.
        PostgresMigration(version: 101, name: "atendimentos keyed by document and competencia", sql: """
            ALTER TABLE atendimentos ADD COLUMN competencia text NOT NULL DEFAULT '';
            ALTER TABLE atendimentos DROP CONSTRAINT atendimentos_pkey, ADD PRIMARY KEY (document, competencia);
            ALTER TABLE impugnacoes ADD COLUMN competencia text NOT NULL DEFAULT '';
            ALTER TABLE impugnacoes DROP CONSTRAINT impugnacoes_pkey, ADD PRIMARY KEY (document, competencia);
            ALTER TABLE released_atendimentos ADD COLUMN competencia text NOT NULL DEFAULT '';
            ALTER TABLE released_atendimentos DROP CONSTRAINT released_atendimentos_pkey,
                ADD PRIMARY KEY (document, competencia);
            """),
    ]
}
