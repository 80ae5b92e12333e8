import Foundation
import TestSupport
import Testing

/// The deployment files (docker-compose.yml, deploy/k8s, deploy/docker) pass `deploy/validate.sh`:
/// the Compose Specification and Kubernetes JSON schemas, the cross-references with the sources,
/// the five built services run with the compose environment against the local database and
/// broker, and the script's own negative checks. A broken file makes it fail.
@Suite(.serialized) struct DeploymentValidationTests {
    @Test func deploymentFilesAndTheServicesPassTheValidation() async throws {
        let environment = try TestEnvironment.required()
        let binaries = try BuiltProducts.executable("ressus-intake").deletingLastPathComponent()
        let result = try await ScriptProcess.run(
            "deploy/validate.sh", ["--bin-dir", binaries.path], environment: environment, timeout: .seconds(300))
        #expect(result.status == 0, "deploy/validate.sh failed:\n\(result.output)")
        #expect(result.output.contains(" checks passed, 0 failed"), "\(result.output)")
        for step in ["schema: Compose Specification", "schema: Kubernetes", "cross-references: docker-compose.yml",
                     "running the services with the compose environment", "negative checks"] {
            #expect(result.output.contains(step), "step '\(step)' did not run:\n\(result.output)")
        }
        for service in ["intake", "deadlines", "debt-calculator", "report-publisher", "fns-transfer"] {
            #expect(result.output.contains("ok    \(service): ready on /health/ready"), "\(service) not checked ready")
        }
    }

    @Test func aComposeFileSettingAnUnknownVariableIsRejected() async throws {
        let environment = try TestEnvironment.required()
        let original = try String(
            contentsOf: ScriptProcess.packageRoot.appendingPathComponent("docker-compose.yml"), encoding: .utf8)
        let broken = original.replacingOccurrences(of: "RESSUS_KAFKA_BROKERS: kafka:9092", with: "RESSUS_KAFKA_BROKER: kafka:9092")
        #expect(broken != original, "docker-compose.yml no longer sets RESSUS_KAFKA_BROKERS as expected")
        // The validator resolves the compose file's relative paths against the package root, wherever the file is.
        let copy = ScriptProcess.packageRoot.appendingPathComponent(".build/deploy-test-\(UUID().uuidString.prefix(8)).yml")
        try FileManager.default.createDirectory(at: copy.deletingLastPathComponent(), withIntermediateDirectories: true)
        try broken.write(to: copy, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: copy) }

        let result = try await ScriptProcess.run(
            "deploy/validate.sh", ["--static-only", "--compose", copy.path], environment: environment, timeout: .seconds(120))
        #expect(result.status == 1, "a broken compose file passed:\n\(result.output)")
        #expect(result.output.contains("FAIL  intake: every variable is one ServiceConfiguration reads"), "\(result.output)")
        #expect(result.output.contains("unknown ['RESSUS_KAFKA_BROKER']"), "\(result.output)")
    }
}
