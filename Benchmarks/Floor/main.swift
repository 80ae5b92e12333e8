// The database floor of rows already in a database (see ReloadFloor): what a finished run left in
// some schemas, reloaded by psql alone into empty copies of their tables, one psql per schema, all
// at once. For a run that keeps its data afterwards, such as the load replay (`deploy/local/carga.sh`
// keeps its database `ressus_carga`).
//
//   floor-benchmark --schemas a,b,c [--database URL] [--units N]
//       Prints the floor's wall time, rows and tables, the slowest tables, and with --units the
//       floor's rate in units (e.g. atendimentos) per second.
//
// Build in release mode: swift build -c release --product floor-benchmark
// Environment: RESSUS_DATABASE_URL when --database is not given. Files go to the temporary
// directory and are removed; the copies (schemas floor_<schema>) are dropped.
import BenchmarkSupport
import Foundation

var arguments = CommandLine.arguments.dropFirst()
var schemas: [String] = [], database = ProcessInfo.processInfo.environment["RESSUS_DATABASE_URL"], units: Int?
while let name = arguments.popFirst() {
    guard let value = arguments.popFirst() else { break }
    switch name {
    case "--schemas": schemas = value.split(separator: ",").map(String.init)
    case "--database": database = value
    case "--units": units = Int(value)
    default: schemas = []
    }
}
guard !schemas.isEmpty, let database, !database.isEmpty else {
    FileHandle.standardError.write(Data("usage: floor-benchmark --schemas a,b,c [--database URL] [--units N] (schema names: a-z, 0-9, _)\n".utf8))
    exit(2)
}

report("floor-benchmark: reloading schemas \(schemas.joined(separator: ", ")) by psql, one per schema, at once")
do {
    let floor = try await ReloadFloor.measure(databaseURL: database, schemas: schemas, directory: FileManager.default.temporaryDirectory)
    report(String(format: "  %d rows in %d tables reloaded in %.1f s", floor.rows, floor.tables, floor.seconds))
    if let units {
        report(String(format: "  %.0f units/s (%d units)", Double(units) / floor.seconds, units))
    }
    report("  slowest tables: \(floor.slowestTables(8))")
} catch {
    FileHandle.standardError.write(Data("floor-benchmark failed: \(error)\n".utf8))
    exit(1)
}
