import ArgumentParser
import Foundation
import Kafka
import Postgres
import Runtime

/// Where the database and the broker are: `--banco` and `--brokers`, defaulting to
/// `RESSUS_DATABASE_URL` and `RESSUS_KAFKA_BROKERS`. Commands include the options they need.
struct DatabaseOption: ParsableArguments {
    @Option(name: .customLong("banco"), help: "URL do PostgreSQL (padrão: RESSUS_DATABASE_URL).")
    var banco: String?

    /// The database URL, or an operator error saying how to give it.
    func url() throws -> String {
        try option(banco, environment: "RESSUS_DATABASE_URL", flag: "--banco")
    }

    /// A one-connection pool on `schema`, opened as `service` (by default, the service whose own
    /// schema it is) opens its connections: with its server settings.
    func pool(schema: String, of service: ServiceDescriptor? = nil) throws -> PostgresPool {
        let configuration: PostgresConfiguration
        do {
            if let service = service ?? ServiceDescriptor.named(schema) {
                configuration = try PostgresConfiguration(connectionString: try url(), applicationName: "ressus-cli", service: service, schema: schema)
            } else {
                configuration = try PostgresConfiguration(connectionString: try url(), applicationName: "ressus-cli", schema: schema)
            }
        } catch let error as PostgresError {
            throw OperatorError(message: "URL do banco inválida: \(error.message)")
        }
        return PostgresPool(configuration: configuration, options: .init(size: 1, reconnectTimeout: .seconds(5)))
    }
}

struct BrokerOption: ParsableArguments {
    @Option(name: .customLong("brokers"), help: "Servidores Kafka, host:porta[,host:porta] (padrão: RESSUS_KAFKA_BROKERS).")
    var brokers: String?

    /// The bootstrap servers, or an operator error saying how to give them.
    func list() throws -> String {
        try option(brokers, environment: "RESSUS_KAFKA_BROKERS", flag: "--brokers")
    }

    func kafka(clientID: String) throws -> KafkaConfig {
        KafkaConfig(bootstrapServers: try list(), clientID: clientID)
    }
}

/// The service named `nameOrSchema` (e.g. `debt-calculator` or `debt_calculator`).
func service(named nameOrSchema: String) throws -> ServiceDescriptor {
    guard let found = ServiceDescriptor.named(nameOrSchema) else {
        throw OperatorError(message: "serviço '\(nameOrSchema)' desconhecido; use "
            + ServiceDescriptor.all.map(\.name).joined(separator: ", "))
    }
    return found
}

/// The services' names, for help texts.
let serviceNames = ServiceDescriptor.all.map(\.name).joined(separator: ", ")

private func option(_ value: String?, environment variable: String, flag: String) throws -> String {
    guard let text = value ?? ProcessInfo.processInfo.environment[variable], !text.isEmpty else {
        throw OperatorError(message: "informe \(flag) ou defina \(variable)")
    }
    return text
}
