/// The CloudEvents `type` of an event: a reverse-DNS name and a schema version,
/// rendered as `br.gov.ans.ressus.charge.issued.v1`.
public struct EventType: Hashable, Sendable, CustomStringConvertible {
    /// Every ressus event type starts with this prefix.
    public static let namespace = "br.gov.ans.ressus"

    /// The name without the version, e.g. `br.gov.ans.ressus.charge.issued`.
    public let name: String
    /// The schema version (1, 2, ...). A consumer refuses versions newer than it knows.
    public let version: Int

    public init(name: String, version: Int) {
        self.name = name
        self.version = version
    }

    /// A ressus event type from its short name, e.g. `EventType.ressus("charge.issued", version: 1)`.
    public static func ressus(_ shortName: String, version: Int) -> EventType {
        EventType(name: "\(namespace).\(shortName)", version: version)
    }

    /// Parses `NAME.vN`; nil when the text has no version suffix.
    public init?(rendered: String) {
        guard let dot = rendered.lastIndex(of: "."),
              rendered[rendered.index(after: dot)...].hasPrefix("v"),
              let version = Int(rendered[rendered.index(dot, offsetBy: 2)...]), version > 0
        else { return nil }
        self.init(name: String(rendered[..<dot]), version: version)
    }

    public var description: String { "\(name).v\(version)" }
}
