import CLibPQ

/// Where and how to connect: libpq connection keywords (`host`, `port`, `user`, `password`,
/// `dbname`, `sslmode`, ...) plus the per-service settings the wrapper applies on every connection.
///
/// Connections are opened with `PQconnectdbParams` from the keyword/value pairs, so no value ever
/// needs escaping by hand.
public struct PostgresConfiguration: Sendable, CustomStringConvertible {
    /// libpq connection keywords and their values.
    public var parameters: [String: String]
    /// Reported to the server as `application_name` (visible in `pg_stat_activity`).
    public var applicationName: String?
    /// The schema every connection uses as its `search_path` (one per service), or nil to keep the
    /// server's default.
    public var schema: String?
    /// Server settings applied to every connection at connect time (`-c name=value`), e.g.
    /// `["jit": "off"]`.
    public var settings: [String: String] = [:]

    /// Keywords and values, as libpq would take them.
    public init(parameters: [String: String], applicationName: String? = nil, schema: String? = nil) {
        self.parameters = parameters
        self.applicationName = applicationName
        self.schema = schema
    }

    /// Parses a `postgresql://user:pass@host:port/db?option=value` URL (percent-encoded parts are
    /// decoded) or a key/value conninfo string (`host=... password='it\'s'`), using libpq's own
    /// parser (`PQconninfoParse`), so both forms mean exactly what they mean to `psql`.
    public init(connectionString: String, applicationName: String? = nil, schema: String? = nil) throws {
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(connectionString, &errorMessage) else {
            let message = errorMessage.map { String(cString: $0) } ?? "out of memory"
            if let errorMessage { PQfreemem(errorMessage) }
            throw PostgresError(
                kind: .invalidConfiguration,
                message: "invalid connection string: \(message.trimmingTrailingNewlines)"
            )
        }
        defer { PQconninfoFree(options) }
        var parameters: [String: String] = [:]
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val {
                parameters[String(cString: keyword)] = String(cString: value)
            }
            option += 1
        }
        self.init(parameters: parameters, applicationName: applicationName, schema: schema)
    }

    public var host: String? { parameters["host"] }
    public var port: Int? { parameters["port"].flatMap { Int($0) } }
    public var user: String? { parameters["user"] }
    public var password: String? { parameters["password"] }
    public var database: String? { parameters["dbname"] }

    /// The keyword/value pairs handed to `PQconnectdbParams`, with the wrapper's session defaults:
    /// UTF-8, UTC and ISO dates (the text decoders rely on them), a connect timeout, and the
    /// application name.
    var connectionKeywords: [(String, String)] {
        var merged = parameters
        merged["client_encoding"] = "UTF8"
        if merged["connect_timeout"] == nil { merged["connect_timeout"] = "5" }
        if let applicationName { merged["application_name"] = applicationName }
        let sessionOptions = (["-c TimeZone=UTC -c DateStyle=ISO -c IntervalStyle=iso_8601"]
            + settings.sorted { $0.key < $1.key }.map { "-c \($0.key)=\($0.value)" }).joined(separator: " ")
        merged["options"] = [merged["options"], sessionOptions].compactMap { $0 }.joined(separator: " ")
        return merged.sorted { $0.key < $1.key }
    }

    /// The parameters with the password hidden, safe for logs.
    public var description: String {
        parameters.sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.key == "password" ? "***" : $0.value)" }
            .joined(separator: " ")
    }
}

extension String {
    var trimmingTrailingNewlines: String {
        var text = self
        while text.last == "\n" { text.removeLast() }
        return text
    }
}
