import Postgres

extension PostgresConfiguration {
    /// A connection configuration as `service` opens its own: on `schema` (its own by default;
    /// tests and benchmarks use theirs) with the service's server settings
    /// (``ServiceDescriptor/databaseSettings``), so the CLI and benchmarks see what the service does.
    public init(connectionString: String, applicationName: String, service: ServiceDescriptor, schema: String? = nil) throws {
        try self.init(connectionString: connectionString, applicationName: applicationName, schema: schema ?? service.schema)
        settings = service.databaseSettings
    }
}
