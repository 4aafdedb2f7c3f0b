import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// A private PostgreSQL cluster run from the installed server binaries, reachable over a Unix socket only.
///
/// PostgreSQL refuses to run as root, so as root the cluster's folder is handed to the `postgres` system user and
/// every server command runs through `runuser`. The data folder persists across runs.
public struct LocalPostgresCluster: Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public let dataDirectory: URL
    public let socketDirectory: URL
    public let port: Int
    public let binDirectory: URL
    let logger: Logger

    /// The superuser the cluster is created with.
    public static let superuser = "postgres"

    public init(directory: URL, port: Int = 5432, logger: Logger) throws {
        self.dataDirectory = directory.appendingPathComponent("pgdata")
        self.socketDirectory = directory.appendingPathComponent("socket")
        self.port = port
        self.logger = logger
        guard let bin = Self.findBinaries() else {
            throw Failure(
                description:
                    "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin: install them with "
                    + "'apt-get install postgresql' or set DATABASE_URL to an existing database"
            )
        }
        self.binDirectory = bin
    }

    /// The Unix socket file clients connect to.
    public var socketPath: String { socketDirectory.appendingPathComponent(".s.PGSQL.\(port)").path }

    /// Creates the cluster when its folder is empty, then starts it and waits until it accepts connections.
    public func start() throws {
        let fileManager = FileManager.default
        try fileManager.createDirectory(at: socketDirectory, withIntermediateDirectories: true)
        try fileManager.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        try handOver(dataDirectory.deletingLastPathComponent())
        if !fileManager.fileExists(atPath: dataDirectory.appendingPathComponent("PG_VERSION").path) {
            logger.info("Creating a PostgreSQL cluster", metadata: ["path": "\(dataDirectory.path)"])
            try run(
                "initdb",
                ["-D", dataDirectory.path, "-U", Self.superuser, "--auth=trust", "--encoding=UTF8", "--no-sync"]
            )
        }
        if isRunning() { return }
        let options = "-k \(socketDirectory.path) -c listen_addresses='' -p \(port) -c fsync=on"
        try run(
            "pg_ctl",
            [
                "-D", dataDirectory.path, "-o", options, "-l", dataDirectory.appendingPathComponent("server.log").path,
                "-w", "-t", "60", "start",
            ]
        )
    }

    /// Stops the cluster (fast shutdown: active transactions are rolled back, committed data is kept).
    public func stop() throws {
        guard isRunning() else { return }
        try run("pg_ctl", ["-D", dataDirectory.path, "-m", "fast", "-w", "stop"])
    }

    public func isRunning() -> Bool {
        (try? run("pg_ctl", ["-D", dataDirectory.path, "status"], quiet: true)) != nil
    }

    /// Creates a database if it does not exist.
    public func createDatabase(_ name: String) throws {
        let exists = try run(
            "psql",
            [
                "-h", socketDirectory.path, "-p", String(port), "-U", Self.superuser, "-d", "postgres", "-tAc",
                "SELECT 1 FROM pg_database WHERE datname = '\(name.replacingOccurrences(of: "'", with: "''"))'",
            ],
            quiet: true
        )
        if exists.trimmingCharacters(in: .whitespacesAndNewlines) == "1" { return }
        try run("createdb", ["-h", socketDirectory.path, "-p", String(port), "-U", Self.superuser, name])
    }

    static func findBinaries() -> URL? {
        let base = URL(fileURLWithPath: "/usr/lib/postgresql")
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: base.path)) ?? []
        for version in versions.sorted(by: { (Int($0) ?? 0) > (Int($1) ?? 0) }) {
            let bin = base.appendingPathComponent(version).appendingPathComponent("bin")
            if FileManager.default.isExecutableFile(atPath: bin.appendingPathComponent("pg_ctl").path) { return bin }
        }
        return nil
    }

    private var runsAsRoot: Bool { getuid() == 0 }

    /// As root, gives the cluster's folders to the postgres user (the server will not run as root).
    private func handOver(_ directory: URL) throws {
        guard runsAsRoot else { return }
        try Self.execute("/bin/chown", ["-R", "\(Self.superuser):\(Self.superuser)", directory.path])
        // The postgres user must be able to reach the folder through its parents.
        var parent = directory.deletingLastPathComponent()
        while parent.path != "/" {
            let attributes = try? FileManager.default.attributesOfItem(atPath: parent.path)
            let mode = (attributes?[.posixPermissions] as? Int) ?? 0o755
            if mode & 0o001 == 0 {
                try? FileManager.default.setAttributes([.posixPermissions: mode | 0o001], ofItemAtPath: parent.path)
            }
            parent = parent.deletingLastPathComponent()
        }
    }

    @discardableResult
    private func run(_ tool: String, _ arguments: [String], quiet: Bool = false) throws -> String {
        let path = binDirectory.appendingPathComponent(tool).path
        if runsAsRoot {
            return try Self.execute("/usr/sbin/runuser", ["-u", Self.superuser, "--", path] + arguments, quiet: quiet)
        }
        return try Self.execute(path, arguments, quiet: quiet)
    }

    /// Runs a command and returns its output.
    ///
    /// Uses `posix_spawn` and `waitpid` directly, with the output in a temporary file: `pg_ctl start` leaves a
    /// daemon running, and Foundation's `Process` was seen not to notice the exit of such a command.
    @discardableResult
    static func execute(_ executable: String, _ arguments: [String], quiet: Bool = false) throws -> String {
        let outputPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("local-postgres-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw Failure(description: "cannot run \(executable): error \(spawned)")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let exitedCleanly = (status & 0x7F) == 0 && ((status >> 8) & 0xFF) == 0
        guard exitedCleanly else {
            throw Failure(
                description: "\(URL(fileURLWithPath: executable).lastPathComponent) failed: \(quiet ? "" : text)"
            )
        }
        return text
    }
}
