import Foundation

/// Starts a program on several ranks with `mpirun` and collects what it printed: how the
/// test suite, the fault catalogue and `tandem bench --distributed` run two-rank jobs.
///
/// ```swift
/// if let launcher = MPILauncher() {
///     let run = try launcher.run(ranks: 2, executable: tandem, arguments: ["train", "--distributed"])
///     print(run.status, run.output)
/// }
/// ```
public struct MPILauncher {
    /// What a job did.
    public struct Run {
        /// mpirun's exit status (0 when every rank succeeded).
        public var status: Int32
        /// Standard output, then standard error, of every rank and of mpirun.
        public var output: String
        /// Wall-clock seconds from launch to exit.
        public var seconds: Double
        /// Whether the job was killed for running past the timeout.
        public var timedOut: Bool
    }

    /// The `mpirun` executable.
    public let mpirun: URL

    /// Finds `mpirun` (`TANDEM_MPIRUN`, else on `PATH`); nil when MPI's launcher is not installed.
    public init?() {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["TANDEM_MPIRUN"], FileManager.default.isExecutableFile(atPath: explicit) {
            mpirun = URL(fileURLWithPath: explicit)
            return
        }
        for directory in (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent("mpirun")
            if FileManager.default.isExecutableFile(atPath: candidate.path) {
                mpirun = candidate
                return
            }
        }
        return nil
    }

    /// The `tandem` command-line executable beside the running program (`TANDEM_EXECUTABLE`
    /// overrides): the running program itself when it is `tandem`, or the one `swift build`
    /// put beside a test bundle.
    public static func tandemExecutable() -> URL? {
        let environment = ProcessInfo.processInfo.environment
        var candidates: [URL] = []
        if let explicit = environment["TANDEM_EXECUTABLE"] { candidates.append(URL(fileURLWithPath: explicit)) }
        let running = [Bundle.main.executableURL, URL(fileURLWithPath: CommandLine.arguments.first ?? "")]
        for url in running.compactMap({ $0?.resolvingSymlinksInPath() }) {
            if url.lastPathComponent == "tandem" { candidates.append(url) }
            candidates.append(url.deletingLastPathComponent().appendingPathComponent("tandem"))
        }
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("tandem"))
        }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// Runs `executable arguments` on `ranks` ranks of this machine and waits for it.
    ///
    /// Ranks may outnumber cores (`--oversubscribe`), are not pinned to cores, and get one
    /// BLAS thread each, so two ranks on two cores do not fight over them; running as root is
    /// allowed (containers and CI run as root).
    ///
    /// - Parameters:
    ///   - ranks: the number of processes.
    ///   - executable: the program every rank runs.
    ///   - arguments: its arguments.
    ///   - environment: extra environment variables for the ranks (`OPENBLAS_NUM_THREADS` is 1
    ///     unless given here).
    ///   - timeout: seconds after which the job is killed.
    public func run(
        ranks: Int, executable: URL, arguments: [String], environment: [String: String] = [:], timeout: TimeInterval = 300
    ) throws -> Run {
        var options = ["-np", String(ranks), "--oversubscribe", "--bind-to", "none"]
        let variables = ["OPENBLAS_NUM_THREADS": "1"].merging(environment) { $1 }
        for (key, value) in variables.sorted(by: { $0.key < $1.key }) { options += ["-x", "\(key)=\(value)"] }
        var env: [String: String] = [:]
        if getuid() == 0 {
            env["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
            env["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        }
        return try Self.run(mpirun, arguments: options + [executable.path] + arguments, environment: env, timeout: timeout)
    }

    /// Runs one process (no `mpirun`) and waits for it, as ``run(ranks:executable:arguments:environment:timeout:)``
    /// runs a job: for the single-process runs that two-rank results are compared with.
    ///
    /// - Parameters:
    ///   - executable: the program.
    ///   - arguments: its arguments.
    ///   - environment: variables added to this process's environment.
    ///   - timeout: seconds after which the process is killed.
    public static func run(
        _ executable: URL, arguments: [String], environment: [String: String] = [:], timeout: TimeInterval = 300
    ) throws -> Run {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let reader = PipeReader(output.fileHandleForReading)
        let start = Date()
        try process.run()
        let deadline = start.addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        let timedOut = process.isRunning
        if timedOut {
            process.terminate()
            Thread.sleep(forTimeInterval: 1)
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        let seconds = Date().timeIntervalSince(start)
        return Run(status: process.terminationStatus, output: reader.wait(), seconds: seconds, timedOut: timedOut)
    }
}

/// Reads a pipe to its end on a background thread (a chatty job cannot fill the pipe and block).
private final class PipeReader: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
    }

    func wait() -> String {
        done.wait()
        return String(decoding: data, as: UTF8.self)
    }
}
