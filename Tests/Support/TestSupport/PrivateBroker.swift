import Foundation

/// A Tansu broker of one's own (memory storage), for tests that stop and restart the broker: started
/// and stopped with `deploy/local/infra.sh start-broker|stop-broker DIR`, like the isolated stacks
/// of the load replay. A restart keeps the address and comes back empty with a new cluster id, as
/// a broker that lost its data does.
public final class PrivateBroker: Sendable {
    /// Where the broker's pid, port and log files live (a fresh temporary directory).
    public let directory: URL
    /// `host:port`, the same across restarts.
    public let address: String

    private static let infraScript = EventSchemaValidator.repository.appendingPathComponent("deploy/local/infra.sh")

    private init(directory: URL, address: String) {
        self.directory = directory
        self.address = address
    }

    /// Starts a new broker in a fresh temporary directory.
    public static func start() async throws -> PrivateBroker {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ressus-broker-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let address = try await infra("start-broker", directory)
        guard let last = address.split(separator: "\n").last, last.contains(":") else {
            throw TestFailure("infra.sh start-broker printed no address: \(address)")
        }
        return PrivateBroker(directory: directory, address: String(last))
    }

    /// Runs `body` with a new broker and removes the broker afterwards, whether `body` returns or
    /// throws (a `defer { Task { await broker.remove() } }` never runs when the test process ends
    /// first, leaving the broker's process behind).
    public static func with<T>(_ body: (PrivateBroker) async throws -> T) async throws -> T {
        let broker = try await start()
        let result: T
        do {
            result = try await body(broker)
        } catch {
            await broker.remove()
            throw error
        }
        await broker.remove()
        return result
    }

    /// Stops the broker (its data is gone).
    public func stop() async throws { _ = try await Self.infra("stop-broker", directory) }

    /// Starts it again at the same address, empty.
    public func startAgain() async throws {
        let printed = try await Self.infra("start-broker", directory)
        guard printed.split(separator: "\n").last.map(String.init) == address else {
            throw TestFailure("the broker came back at another address: \(printed)")
        }
    }

    /// Stops the broker and removes its directory.
    public func remove() async {
        _ = try? await Self.infra("stop-broker", directory)
        try? FileManager.default.removeItem(at: directory)
    }

    private static func infra(_ command: String, _ directory: URL) async throws -> String {
        let result = try await ChildProcess.run(
            executable: URL(fileURLWithPath: "/bin/bash"), [infraScript.path, command, directory.path], timeout: .seconds(60))
        guard result.status == 0 else { throw TestFailure("infra.sh \(command) failed: \(result.output)\(result.error)") }
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
