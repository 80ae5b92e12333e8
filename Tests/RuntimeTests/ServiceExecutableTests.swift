import Foundation
import Runtime
import TestSupport
import Testing

/// Starts each real service executable against the local database and broker, waits until it is
/// ready, sends SIGTERM and checks that it shuts down cleanly.
@Suite struct ServiceExecutableTests {
    @Test(arguments: ServiceDescriptor.all.map(\.name))
    func startsConnectsAndStopsCleanly(service: String) async throws {
        let child = try ChildProcess("ressus-\(service)", environment: try TestEnvironment.required())
        try await child.waitFor("service ready")
        #expect(child.output.text.contains("database connected"))
        #expect(child.output.text.contains("broker connected"))
        let status = try await child.stop(with: SIGTERM)
        #expect(status == 0, "log:\n\(child.output.text)")
        #expect(child.output.text.contains("service stopped"))
    }

    @Test func missingConfigurationIsAClearError() async throws {
        let result = try await ChildProcess.run("ressus-intake", [], environment: ["PATH": "/usr/bin:/bin"])
        #expect(result.status == 2)
        #expect(result.error.contains("RESSUS_DATABASE_URL is not set"), "got: \(result.error)")
    }
}
