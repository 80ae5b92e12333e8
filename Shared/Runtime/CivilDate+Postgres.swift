import Foundation
import Models
import Postgres

extension CivilDate {
    /// The value bound to a `date` parameter.
    public var postgres: PostgresDate { PostgresDate(year: year, month: month, day: day)! }

    /// A date read from PostgreSQL.
    public init(_ date: PostgresDate) throws { try self.init(year: date.year, month: date.month, day: date.day) }

    /// The instant this business date begins (Brasília).
    public var startInstant: Date { BusinessTimeZone.startOfDay(self) }
}

extension PostgresRow {
    /// A `date` column.
    public func civilDate(at column: Int) throws -> CivilDate {
        try CivilDate(try decode(PostgresDate.self, at: column))
    }

    /// A nullable `date` column.
    public func optionalCivilDate(at column: Int) throws -> CivilDate? {
        try decode(PostgresDate?.self, at: column).map { try CivilDate($0) }
    }

    /// A `bigint` column of centavos.
    public func money(at column: Int) throws -> Money { Money(centavos: try decode(Int64.self, at: column)) }
}
