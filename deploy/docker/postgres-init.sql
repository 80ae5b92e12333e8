-- Run once by the postgres image on an empty data volume (/docker-entrypoint-initdb.d), as the
-- POSTGRES_USER in the POSTGRES_DB database. One schema per service, named as in
-- Shared/Runtime/ServiceConfiguration.swift (ServiceDescriptor); each service applies its own
-- migrations at start and never reads another's schema. Creating the schemas up front gives
-- backups (pg_dump --schema) and grants a fixed target from the first day.
CREATE SCHEMA IF NOT EXISTS intake;
CREATE SCHEMA IF NOT EXISTS deadlines;
CREATE SCHEMA IF NOT EXISTS debt_calculator;
CREATE SCHEMA IF NOT EXISTS report_publisher;
CREATE SCHEMA IF NOT EXISTS fns_transfer;

-- Nothing of the application lives in public.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
