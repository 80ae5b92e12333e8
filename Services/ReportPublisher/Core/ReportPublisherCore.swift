/// The report publisher (DOMAIN §9): the operadoras' portal and the Posição Financeira Atualizada
/// PDF, from a read model built only from events.
///
/// - ``ReadModelHandler`` applies the events of `Topics.operadoras`, `.notifications`, `.deadlines`
///   and `.debts` to the `rm_*` tables (``ReportPublisherMigrations``); ``ReadModelRebuild`` rebuilds
///   them from the topics (`ressus portal reconstruir`).
/// - ``ReadModelQueries`` reads them, always for one operadora (tenant isolation).
/// - ``PositionReport`` / ``PositionReportPDF`` make the PDF as of a reference date.
/// - ``Portal`` serves the HTML pages under `/portal` (sessions, CSRF, lockout:
///   ``PortalAccounts``, ``PortalSessions``, ``PortalPolicy``); ciência given there is published as
///   `PortalCienciaRequested` (``PortalCiencia``) for the deadlines service.
///
/// Core code takes "today" from the service's business clock; only session and lockout times use
/// real time (``PortalEnvironment/securityNow``).
public enum ReportPublisherCore {}
