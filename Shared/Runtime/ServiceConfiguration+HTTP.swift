import Foundation

/// Where a service's HTTP endpoint (health checks, Prometheus metrics) listens.
///
/// | variable | default | meaning |
/// |---|---|---|
/// | `RESSUS_HTTP_HOST` | `127.0.0.1` | address the endpoint binds (`0.0.0.0` in containers) |
/// | `RESSUS_<SERVICE>_HTTP_PORT` | `RESSUS_HTTP_PORT` | this service's own port |
/// | `RESSUS_HTTP_PORT` | `0` | port; 0 picks a free one (logged as `http listening`) |
public struct HTTPEndpointConfiguration: Sendable, Equatable {
    public static let defaultHost = "127.0.0.1"
    /// 0: the system picks a free port, so several services on one machine never collide.
    public static let defaultPort = 0

    public var host: String
    public var port: Int

    public init(host: String = defaultHost, port: Int = defaultPort) {
        self.host = host
        self.port = port
    }
}

extension ServiceConfiguration {
    /// Reads the HTTP endpoint of `service` from `environment` (see `HTTPEndpointConfiguration`).
    public static func httpEndpoint(
        for service: ServiceDescriptor,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> HTTPEndpointConfiguration {
        func value(_ name: String) -> (name: String, text: String)? {
            environment[name].flatMap { $0.isEmpty ? nil : (name, $0) }
        }
        let host = value("RESSUS_HTTP_HOST")?.text ?? HTTPEndpointConfiguration.defaultHost
        guard let port = value(service.environmentPrefix + "HTTP_PORT") ?? value("RESSUS_HTTP_PORT") else {
            return HTTPEndpointConfiguration(host: host)
        }
        guard let number = Int(port.text), (0...65_535).contains(number) else {
            throw ConfigurationError(variable: port.name, problem: "must be an integer in 0...65535, got '\(port.text)'")
        }
        return HTTPEndpointConfiguration(host: host, port: number)
    }
}
