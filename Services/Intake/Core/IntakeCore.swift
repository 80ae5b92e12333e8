/// The Intake service (DOMAIN §1-3): the register of operadoras, ABIs and their atendimentos
/// (validated, valued by IVR, deduplicated), and the notifications (Ofício ABI) split per operadora.
///
/// Front doors:
/// - the operator CLI (`ressus operadoras importar`, `ressus abi importar`) uses this library against
///   the intake schema: it validates and writes the rows itself (``OperadoraImporter``,
///   ``ABIImporter``), then schedules "notify ABI N" work (``NotifyABIHandler``) due at once; the
///   running intake service fires it with ITS clock (the availability date depends on "today"), and
///   the CLI waits, bounded, for the outcome;
/// - the upstream topic (``UpstreamAtendimentosHandler``): batches of identified atendimentos and a
///   closing event per ABI (see `docs/intake-files.md`).
public enum IntakeCore {}

/// The intake's policy values, in one place.
public enum IntakePolicy {
    /// Valid rows written per COPY transaction while importing a file.
    public static let importBatchSize = 10_000
    /// Atendimentos emitted (in ``NotificationAtendimentos`` batches) per scheduled round of a
    /// notification, so one transaction never holds a huge number of outbox rows.
    public static let notificationAtendimentosPerRound = 20_000
    /// Largest JSON record accepted (a larger one means a malformed file).
    public static let maximumJSONElementBytes = 1 << 20
    /// Largest CSV record accepted (a larger one means a quote never closed): memory stays bounded.
    public static let maximumCSVRecordBytes = 1 << 20
    /// Longest beneficiary code accepted (SIB codes are far shorter).
    public static let maximumBeneficiaryCodeLength = 30
    /// Largest quantity of one atendimento row (SIH/SIA quantities are far smaller); also keeps the
    /// value inside the `integer` column.
    public static let maximumQuantity = 999_999
    /// Largest SUS value of one atendimento, in centavos (R$ 10.000.000,00: no SIGTAP procedure comes
    /// near it). Keeps the totals of millions of atendimentos far inside 64-bit centavos.
    public static let maximumSUSValueCentavos: Int64 = 1_000_000_000
}

/// A problem with a whole input file (Portuguese, shown to the operator); the import stops.
public struct IntakeFileError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
