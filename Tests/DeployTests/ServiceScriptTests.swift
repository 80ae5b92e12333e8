import Foundation
import TestSupport
import Testing

/// `deploy/local/services.sh` records in each service's log how its process ended (exit status or
/// signal), so a service that crashes is never silent. Stand-in executables (scripts that
/// announce readiness like the services) make the outcome certain: one crashes with SIGSEGV, the
/// others stop cleanly on SIGTERM.
@Suite struct ServiceScriptTests {
    static let services = ["intake", "deadlines", "debt-calculator", "report-publisher", "fns-transfer"]

    @Test func aServiceThatDiesLeavesHowItEndedInItsLog() async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ressus-services-test-\(UUID().uuidString.prefix(8))")
        let binaries = directory.appendingPathComponent("bin"), run = directory.appendingPathComponent("run")
        try FileManager.default.createDirectory(at: binaries, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for service in Self.services {
            // Python, because the test process spawns children with SIGTERM blocked and a shell
            // cannot unblock it.
            let ending = service == "deadlines"
                ? "time.sleep(0.5)\nos.kill(os.getpid(), signal.SIGSEGV)\n"
                : "signal.signal(signal.SIGTERM, stop)\nwhile True: time.sleep(0.1)\n"
            let script = """
                #!/usr/bin/env python3
                import os, signal, sys, time
                signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGSEGV])
                def stop(*_):
                    print("service stopped", flush=True)
                    sys.exit(0)
                print("service ready", flush=True)

                """ + ending
            let file = binaries.appendingPathComponent("ressus-\(service)")
            try script.write(to: file, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file.path)
        }
        let envFile = run.appendingPathComponent("env.sh")
        try "true\n".write(to: envFile, atomically: true, encoding: .utf8)
        var environment = ProcessInfo.processInfo.environment
        environment["RESSUS_SERVICE_DIR"] = run.path
        environment["RESSUS_SERVICE_ENV_FILE"] = envFile.path

        let started = try await ScriptProcess.run(
            "deploy/local/services.sh", ["start", binaries.path], environment: environment, timeout: .seconds(60))
        #expect(started.status == 0, "\(started.output)")
        let crashed = run.appendingPathComponent("deadlines.log")
        let deadline = ContinuousClock.now + .seconds(20)
        while !(log(crashed).contains("ressus-deadlines")), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(log(crashed).contains("ressus-deadlines (pid "), "\(log(crashed))")
        #expect(log(crashed).contains("killed by signal 11 (SIGSEGV)"), "\(log(crashed))")

        let stopped = try await ScriptProcess.run(
            "deploy/local/services.sh", ["stop"], environment: environment, timeout: .seconds(60))
        #expect(stopped.status == 0, "\(stopped.output)")
        for service in Self.services where service != "deadlines" {
            let file = run.appendingPathComponent("\(service).log")
            let until = ContinuousClock.now + .seconds(10)
            while !(log(file).contains("exited with")), ContinuousClock.now < until {
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(log(file).contains("service stopped"), "\(service): \(log(file))")
            #expect(log(file).contains("ressus-\(service) (pid ") && log(file).contains("exited with status 0"),
                    "\(service): \(log(file))")
        }
    }

    private func log(_ url: URL) -> String {
        (try? String(contentsOf: url, encoding: .utf8)) ?? ""
    }
}
