// A scheduler worker process for the crash tests (SchedulerCrashTests): fires every item of kind
// "crash" in the schema given as the only argument, recording each in its `fire_log` table, slowly
// enough that the test can SIGKILL it midway. Database from RESSUS_DATABASE_URL.
import Foundation
import Postgres
import Runtime

guard CommandLine.arguments.count == 2, let url = ProcessInfo.processInfo.environment["RESSUS_DATABASE_URL"] else {
    FileHandle.standardError.write(Data("usage: RESSUS_DATABASE_URL=... scheduler-test-worker SCHEMA\n".utf8))
    exit(2)
}
let schema = CommandLine.arguments[1]
let pool = PostgresPool(configuration: try PostgresConfiguration(
    connectionString: url, applicationName: "scheduler-test-worker", schema: schema))
let handler = ScheduledWorkClosure(kind: "crash") { item, context in
    _ = try context.connection.execute(
        "INSERT INTO fire_log (work_key, due_at, fired_now, worker) VALUES ($1, $2, $3, 'process')",
        [item.key, item.dueAt, context.now])
    _ = try context.connection.query("SELECT pg_sleep(0.002)")
}
// Everything scheduled by the test is due at this instant.
let clock = SimulatedClock(startingAt: Date(timeIntervalSince1970: 4_102_444_800))  // 2100-01-01
let worker = SchedulerWorker(
    database: pool, clock: clock, handlers: [handler], policy: SchedulerPolicy(batchSize: 5), serviceName: "crash-test")
FileHandle.standardOutput.write(Data("firing\n".utf8))
let report = try await worker.fireDue()
print("fired \(report.fired)")
await pool.close()
