import Foundation
import Postgres

/// A throwaway PostgreSQL 15 cluster in a temp directory, on a free loopback port, for tests that
/// must restart the server (the shared one is never touched). We run as root and initdb refuses
/// root, so every server command runs as `postgres` via runuser.
final class PrivateCluster: Sendable {
    static let binaries = "/usr/lib/postgresql/15/bin"

    let directory: String
    let port: Int
    var dataDirectory: String { directory + "/data" }

    /// initdb + start. `hostAuthentication` is initdb's --auth-host (e.g. "scram-sha-256").
    init(hostAuthentication: String = "trust") throws {
        let template = FileManager.default.temporaryDirectory.appendingPathComponent("ressus-pg-XXXXXX").path
        var buffer = Array(template.utf8CString)
        guard let created = mkdtemp(&buffer) else { throw ClusterError("mkdtemp failed") }
        directory = String(cString: created)
        port = try Self.freePort()
        try Self.run("/bin/chown", ["postgres:postgres", directory])
        try Self.runAsPostgres("initdb", [
            "-D", directory + "/data", "-U", "postgres", "--auth-local=trust", "--auth-host=\(hostAuthentication)",
            "--encoding=UTF8", "--no-sync",
        ])
        try start()
    }

    /// Connection settings for the superuser over TCP.
    func configuration(user: String = "postgres", database: String = "postgres", schema: String? = nil) -> PostgresConfiguration {
        PostgresConfiguration(
            parameters: ["host": "127.0.0.1", "port": "\(port)", "user": user, "dbname": database],
            applicationName: "ressus-postgres-tests", schema: schema
        )
    }

    func start() throws {
        try Self.runAsPostgres("pg_ctl", ["-D", dataDirectory, "-l", directory + "/server.log", "-w", "-o", serverOptions, "start"])
    }

    /// `pg_ctl restart -m fast`: disconnects every client, then comes back on the same port.
    func restart() throws {
        try Self.runAsPostgres("pg_ctl", ["-D", dataDirectory, "-l", directory + "/server.log", "-w", "-m", "fast", "-o", serverOptions, "restart"])
    }

    /// `pg_ctl stop -m fast`; `start()` brings it back.
    func stop() throws {
        try Self.runAsPostgres("pg_ctl", ["-D", dataDirectory, "-w", "-m", "fast", "stop"])
    }

    /// Stops the server and deletes the directory.
    func destroy() {
        _ = try? Self.runAsPostgres("pg_ctl", ["-D", dataDirectory, "-w", "-m", "immediate", "stop"])
        try? FileManager.default.removeItem(atPath: directory)
    }

    private var serverOptions: String {
        "-p \(port) -k \(directory) -c listen_addresses=127.0.0.1 -c fsync=off"
    }

    private static func runAsPostgres(_ tool: String, _ arguments: [String]) throws {
        try run("/usr/sbin/runuser", ["-u", "postgres", "--", "\(binaries)/\(tool)"] + arguments)
    }

    /// Runs a command and waits for it (posix_spawn + waitpid), output to a file, every descriptor
    /// above stderr closed in the child: the server pg_ctl leaves running must not inherit
    /// anything of ours (Foundation's Process waits for descriptors the server would keep open).
    private static func run(_ executable: String, _ arguments: [String]) throws {
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("ressus-pg-cmd-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        guard let closeFrom = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else {
            throw ClusterError("glibc lacks posix_spawn_file_actions_addclosefrom_np (needs 2.34+)")
        }
        typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        _ = unsafeBitCast(closeFrom, to: AddCloseFrom.self)(&actions, 3)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else { throw ClusterError("cannot start \(executable): errno \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let exitedCleanly = status & 0x7f == 0 && (status >> 8) & 0xff == 0
        guard exitedCleanly else {
            let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
            throw ClusterError("\(executable) \(arguments.joined(separator: " ")) failed (status \(status)): \(text)")
        }
    }

    /// A loopback port nobody listens on right now (bind to port 0, read it, close).
    private static func freePort() throws -> Int {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw ClusterError("socket failed") }
        defer { close(socketFD) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(socketFD, pointer, length) == 0 && getsockname(socketFD, pointer, &length) == 0
            }
        }
        guard bound else { throw ClusterError("bind failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    struct ClusterError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}

/// Runs blocking work (a subprocess) off the cooperative thread pool.
func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}
