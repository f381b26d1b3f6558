import Foundation

/// Runs the distributed faults of the catalogue: each fault program needs two ranks, so it runs
/// as a two-rank `mpirun` job of `tandem distributed-fault`, and the verdict is judged from what
/// the ranks reported (an error recorded by a rank, or nothing at all).
public enum DistributedFaults {
    /// One job: the verdict and what the launcher saw.
    public struct Run {
        /// The scorecard verdict.
        public var result: FaultResult
        /// Seconds from the launch to the end of the job.
        public var seconds: Double
        /// Seconds from the moment a rank ended its training loop to the moment another rank's
        /// wait became an error (the hang turned into an error), when both happened.
        public var detectionSeconds: Double?
        /// What `mpirun` and the ranks printed.
        public var output: String
    }

    /// How long a fault job may run before it counts as hung.
    public static var timeout: TimeInterval = 180

    /// Runs `fault` (or its fault-free twin) in `frontend` on two ranks.
    ///
    /// - Parameters:
    ///   - fault: ``Fault/unevenBatches`` or ``Fault/replicasDiffer``.
    ///   - frontend: `eager` or `graph`.
    ///   - twin: run the same program without the mistake (it must report nothing).
    public static func run(_ fault: Fault, frontend: String, twin: Bool = false) -> Run {
        guard let launcher = MPILauncher(), let tandem = MPILauncher.tandemExecutable() else {
            return Run(
                result: .notApplicable(
                    fault, frontend, because: "not run: needs mpirun (Open MPI) and the tandem executable to start two ranks"),
                seconds: 0, output: "")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-fault-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let arguments = ["distributed-fault", fault.rawValue, "--frontend", frontend, "--output", directory.path] + (twin ? ["--twin"] : [])
        let job: MPILauncher.Run
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            job = try launcher.run(ranks: 2, executable: tandem, arguments: arguments, timeout: timeout)
        } catch {
            return Run(
                result: FaultResult(
                    fault: fault.rawValue, title: fault.title, frontend: frontend, when: .never,
                    message: "the job could not start: \(error)", how: "launch failed"),
                seconds: 0, output: "")
        }
        let records = (0..<2).compactMap { rank -> RankProbe.Record? in
            let url = directory.appendingPathComponent("rank-\(rank).json")
            return (try? Data(contentsOf: url)).flatMap { try? JSONDecoder().decode(RankProbe.Record.self, from: $0) }
        }
        return Run(
            result: judge(fault, frontend: frontend, twin: twin, records: records, job: job), seconds: job.seconds,
            detectionSeconds: detectionSeconds(records), output: job.output)
    }

    /// The verdict of a job: a hang or a crash when a rank wrote no report, else ``verdict(_:frontend:twin:records:)``.
    static func judge(
        _ fault: Fault, frontend: String, twin: Bool = false, records: [RankProbe.Record], job: MPILauncher.Run
    ) -> FaultResult {
        guard records.count == 2 else {
            let why = job.timedOut ? "the job hung and was killed after \(Int(timeout)) s" : "a rank wrote no report (exit status \(job.status))"
            return FaultResult(
                fault: fault.rawValue, title: fault.title, frontend: frontend, when: .never,
                message: "\(why): \(job.output.suffix(300))", how: job.timedOut ? "hang" : "crash")
        }
        return verdict(fault, frontend: frontend, twin: twin, records: records)
    }

    /// The diagnostic meant for each distributed fault.
    static func diagnostic(for fault: Fault) -> DistributedDiagnostic? {
        switch fault {
        case .unevenBatches: return .unevenInputs
        case .replicasDiffer: return .replicasDiffer
        default: return nil
        }
    }

    /// The verdict from the ranks' reports: the first error (lowest rank first) whose diagnostic
    /// code is the one meant for the fault, else the first warning. Another error (a timeout, a
    /// rank stopped by its partner's error) is no detection. For a fault-free twin every error
    /// counts: any diagnostic there is a false positive.
    static func verdict(_ fault: Fault, frontend: String, twin: Bool, records: [RankProbe.Record]) -> FaultResult {
        let meant = diagnostic(for: fault)
        var observation = Observation()
        var unrelated: RankProbe.Event?
        for record in records.sorted(by: { $0.rank < $1.rank }) {
            for event in record.errors {
                guard twin || event.diagnostic == meant?.rawValue else {
                    unrelated = unrelated ?? event
                    continue
                }
                observation.errors.append((Self.error(from: event.message), DetectionTime(rawValue: event.phase) ?? .run))
            }
            for event in record.warnings { observation.warnings.append((event.message, DetectionTime(rawValue: event.phase) ?? .run)) }
        }
        if observation.errors.isEmpty && observation.warnings.isEmpty, let unrelated {
            return FaultResult(
                fault: fault.rawValue, title: fault.title, frontend: frontend, when: .never,
                message: "not the diagnostic meant for this fault (\(unrelated.diagnostic ?? "no diagnostic code")): "
                    + String(unrelated.message.prefix(300)),
                how: "other error")
        }
        let line = records.compactMap { r in r.faultFile.map { SourceLocation(file: $0, line: r.faultLine ?? 0) } }.first
        let (op, shapes): (String?, [String])
        switch (fault, frontend) {
        case (.replicasDiffer, "eager"): (op, shapes) = ("DistributedDataParallel", ["[64, 784]"])
        case (.replicasDiffer, _): (op, shapes) = ("DistributedOptimizer", ["[64, 784]"])
        default: (op, shapes) = ("allreduce", [])
        }
        return observation.judge(fault, frontend: frontend, op: op, shapes: shapes, line: line)
    }

    /// An error message read back from a rank, as an error with the same description.
    static func error(from message: String) -> TandemError {
        guard let separator = message.range(of: ": ") else { return .distributed(op: message, reason: "", location: nil) }
        return .distributed(
            op: String(message[..<separator.lowerBound]), reason: String(message[separator.upperBound...]), location: nil)
    }

    /// From the earliest end of a rank's loop without an error to the first error elsewhere.
    static func detectionSeconds(_ records: [RankProbe.Record]) -> Double? {
        guard let failed = records.compactMap({ $0.errors.first?.time }).min(),
              let finished = records.filter({ $0.errors.isEmpty }).compactMap(\.loopEnd).min()
        else { return nil }
        return failed - finished
    }

    /// The entry point of `tandem distributed-fault`: runs the program on this rank and writes
    /// what it saw to `rank-N.json` in `directory`.
    ///
    /// - Parameters:
    ///   - fault: the fault's raw value (`uneven_batches`, `replicas_differ`).
    ///   - frontend: `eager` or `graph`.
    ///   - twin: run the fault-free twin.
    ///   - directory: where the launching process reads the reports.
    public static func runRank(fault: String, frontend: String, twin: Bool, directory: URL) throws {
        guard let fault = Fault(rawValue: fault) else {
            throw TandemError.invalidValue(op: "distributed-fault", reason: "unknown fault '\(fault)'", location: nil)
        }
        let group = ProcessGroup.world
        // The job exists to see what surfaces; it must not wait ten minutes for a rank that is gone.
        group.timeout = 60
        Diagnostics.sink = { _ in }
        let probe = RankProbe(rank: group.rank)
        do {
            try DistributedFaultPrograms.run(fault, frontend: frontend, twin: twin, probe: probe)
        } catch {
            probe.record(error)
        }
        let data = try JSONEncoder().encode(probe.record)
        try writeAtomically(data, to: directory.appendingPathComponent("rank-\(group.rank).json"))
    }
}
