import Postgres
import Runtime

/// The debt calculator's schema (versions from 100; the runtime owns 1-99). Dates are business
/// dates (Brasília); amounts are integer centavos.
public enum DebtMigrations {
    public static let all: [PostgresMigration] = [
        PostgresMigration(version: 100, name: "charges, GRUs, payments, parcelamentos", sql: """
            -- The 10-digit sequence part of GRU numbers (the prefix is RulesPolicy.gruIssuerPrefix).
            CREATE SEQUENCE gru_sequence MINVALUE 1 MAXVALUE 9999999999;
            CREATE TABLE charges (
                charge_id         text PRIMARY KEY,
                abi               integer NOT NULL,
                registro_ans      text NOT NULL,
                total             bigint NOT NULL,
                issued_on         date NOT NULL,
                original_due_date date NOT NULL,
                payment_due_date  date NOT NULL,
                -- NULL while held as a small charge (RN 533/2022).
                gru_number        text,
                -- The atendimentos charged: SUS document numbers and amounts (centavos), in order.
                documents         text[] NOT NULL,
                amounts           text[] NOT NULL
            );
            CREATE INDEX charges_held ON charges (registro_ans) WHERE gru_number IS NULL;
            CREATE TABLE grus (
                gru_number        text PRIMARY KEY,
                registro_ans      text NOT NULL,
                purpose           text NOT NULL CHECK (purpose IN ('cobranca', 'reemissao', 'parcela')),
                charge_ids        text[] NOT NULL,
                abis              text[] NOT NULL,
                principal         bigint NOT NULL,
                multa             bigint NOT NULL,
                juros             bigint NOT NULL,
                amount            bigint NOT NULL,
                issued_on         date NOT NULL,
                due_date          date NOT NULL,
                accrual_date      date NOT NULL,
                -- When the operadora was notified of the charge (CADIN counts 75 days from it).
                charged_on        date NOT NULL,
                state             text NOT NULL CHECK (state IN ('emitida', 'paga', 'paga_com_atraso', 'parcelada',
                                      'suspensa_judicialmente', 'inscrita_em_divida_ativa', 'cancelada')),
                open_principal    bigint NOT NULL,
                paid_total        bigint NOT NULL DEFAULT 0,
                credit            bigint NOT NULL DEFAULT 0,
                in_cadin          boolean NOT NULL DEFAULT false,
                court_process     text,
                replaces          text,
                replaced_by       text,
                parcelamento_id   text,
                -- Open principal when a parcelamento took it (returned pro rata on rescission).
                parcelled_principal bigint NOT NULL DEFAULT 0,
                installment       integer,
                linha_digitavel   text NOT NULL
            );
            CREATE INDEX grus_by_operadora ON grus (registro_ans, gru_number);
            -- Every payment received, matched or flagged; never deleted.
            CREATE TABLE payments (
                id                  bigserial PRIMARY KEY,
                payment_id          text NOT NULL,
                gru_text            text NOT NULL,
                gru_number          text,
                registro_ans        text,
                amount              bigint NOT NULL,
                paid_on             date NOT NULL,
                origin              text NOT NULL,
                classification      text NOT NULL,
                due_on_payment_date bigint,
                credit              bigint NOT NULL DEFAULT 0,
                principal           bigint NOT NULL DEFAULT 0,
                multa               bigint NOT NULL DEFAULT 0,
                juros               bigint NOT NULL DEFAULT 0
            );
            CREATE INDEX payments_by_payment_id ON payments (payment_id);
            CREATE INDEX payments_by_gru ON payments (gru_number);
            -- Payments of an imported bank-return file, waiting for the service to match them.
            CREATE TABLE incoming_payments (
                id          bigserial PRIMARY KEY,
                request_id  bigint NOT NULL,
                row_number  integer NOT NULL,
                payment_id  text NOT NULL,
                gru_text    text NOT NULL,
                amount      bigint NOT NULL,
                paid_on     date NOT NULL,
                origin      text NOT NULL,
                processed   boolean NOT NULL DEFAULT false
            );
            CREATE INDEX incoming_by_request ON incoming_payments (request_id, id);
            CREATE TABLE parcelamentos (
                parcelamento_id   text PRIMARY KEY,
                registro_ans      text NOT NULL,
                state             text NOT NULL CHECK (state IN ('solicitado', 'deferido', 'rescindido', 'quitado', 'indeferido')),
                gru_numbers       text[] NOT NULL,
                consolidated      bigint NOT NULL,
                installment_count integer NOT NULL,
                installment_base  bigint NOT NULL,
                concession_date   date NOT NULL,
                -- Principal of the GRUs taken (returned to collection on rescission, proportionally).
                principal         bigint NOT NULL,
                requested_at      timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX parcelamentos_by_operadora ON parcelamentos (registro_ans);
            CREATE TABLE installments (
                parcelamento_id text NOT NULL REFERENCES parcelamentos,
                number          integer NOT NULL,
                due_date        date NOT NULL,
                base            bigint NOT NULL,
                gru_number      text,
                status          text NOT NULL DEFAULT 'prevista' CHECK (status IN ('prevista', 'emitida', 'paga', 'cancelada')),
                -- Not paid by its due date (counts towards rescission even if paid later).
                missed          boolean NOT NULL DEFAULT false,
                paid_on         date,
                paid_amount     bigint,
                PRIMARY KEY (parcelamento_id, number)
            );
            CREATE INDEX installments_by_gru ON installments (gru_number);
            \(OperatorRequestDesk.tableDDL(keepingResult: true))
            """),
        PostgresMigration(version: 101, name: "SELIC months published by operators", sql: """
            -- Every `ressus selic importar` that changed the table (DOMAIN §5: a versioned table).
            CREATE TABLE selic_imports (
                id             bigserial PRIMARY KEY,
                -- The publication's label, the `version` of its SelicRatesPublished (importacao-NNNN).
                label          text NOT NULL UNIQUE,
                file           text NOT NULL,
                new_months     text[] NOT NULL,
                -- Corrections as 'AAAA-MM:old_bp:new_bp'.
                corrections    text[] NOT NULL,
                imported_at    timestamptz NOT NULL DEFAULT now()
            );
            -- The months published after the seed (or correcting it), each with its current rate in
            -- basis points (1.18% = 118) and the publication that set it last.
            CREATE TABLE selic_rates (
                month          text PRIMARY KEY,
                basis_points   bigint NOT NULL,
                publication    text NOT NULL REFERENCES selic_imports (label)
            );
            """),
        PostgresMigration(version: 102, name: "charged atendimentos carry their competencia", sql: """
            -- The competência of each charged atendimento, parallel to `documents` (an APAC is its number
            -- and competência, DOMAIN §1); '' when the chargeable event lacked it. NULL for charges
            -- recorded before this migration.
            ALTER TABLE charges ADD COLUMN competencias text[];
            """),
    ]
}
