import Postgres

/// The intake's tables (versions from 100; the runtime's tables come first).
///
/// An atendimento is unique by SUS document number + competência: an AIH number identifies one
/// admission, but an APAC number is reused for each competência of its validity (up to three
/// months), so the number alone would merge distinct billable episodes. The first ABI that brings a
/// (document, competência) owns it; later ones count it as already received.
public enum IntakeMigrations {
    public static let all: [PostgresMigration] = [
        PostgresMigration(version: 100, name: "intake register, ABIs, atendimentos, rejections, notifications", sql: """
            CREATE TABLE operadoras (
                registro_ans  text PRIMARY KEY,
                cnpj          text NOT NULL,
                razao_social  text NOT NULL,
                email         text NOT NULL,
                updated_at    timestamptz NOT NULL DEFAULT now()
            );
            CREATE TABLE abis (
                abi               integer PRIMARY KEY,
                first_source      text NOT NULL,
                received_at       timestamptz NOT NULL DEFAULT now(),
                -- upstream: how many batches the closing event announced
                expected_batches  integer,
                -- set when the notifications are created; no new atendimentos after that
                closed_at         timestamptz
            );
            CREATE TABLE atendimentos (
                document          text NOT NULL,
                competencia       text NOT NULL,
                abi               integer NOT NULL REFERENCES abis,
                registro_ans      text NOT NULL,
                kind              text NOT NULL CHECK (kind IN ('AIH', 'APAC')),
                beneficiary_code  text NOT NULL,
                birth_date        date NOT NULL,
                care_start        date NOT NULL,
                care_end          date NOT NULL,
                cnes              text NOT NULL,
                procedure_code    text NOT NULL,
                quantity          integer NOT NULL CHECK (quantity > 0),
                sus_value         bigint NOT NULL CHECK (sus_value > 0),
                amount            bigint NOT NULL,
                source_row        bigint,
                PRIMARY KEY (document, competencia)
            );
            CREATE INDEX atendimentos_by_notification ON atendimentos (abi, registro_ans, document, competencia);
            CREATE TABLE rejected_rows (
                abi          integer NOT NULL,
                source       text NOT NULL,
                row_number   bigint NOT NULL,
                reason       text NOT NULL,
                rejected_at  timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (abi, source, row_number)
            );
            CREATE TABLE upstream_batches (
                abi          integer NOT NULL,
                batch        integer NOT NULL,
                event_id     uuid NOT NULL,
                received_at  timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (abi, batch)
            );
            CREATE TABLE notifications (
                abi                 integer NOT NULL REFERENCES abis,
                registro_ans        text NOT NULL,
                state               text NOT NULL CHECK (state IN ('issuing', 'issued')),
                available_on        date NOT NULL,
                atendimento_count   integer NOT NULL,
                total_amount        bigint NOT NULL,
                batch_count         integer NOT NULL,
                batches_emitted     integer NOT NULL DEFAULT 0,
                last_document       text,
                last_competencia    text,
                issued_at           timestamptz,
                PRIMARY KEY (abi, registro_ans)
            );
            """),
    ]
}
