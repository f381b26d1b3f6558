import CMPI
import Foundation
import TandemKernels

/// The MPI side of a ``ProcessGroup``: initialisation, the collectives, the rank reports that
/// turn hangs into errors (see ``PeerMonitor``), and the handshake at exit.
///
/// Collectives run on the communication thread, as nonblocking MPI calls that the thread polls;
/// between polls it reads other ranks' reports. Everything but `init` runs on that thread.
final class MPIBackend: @unchecked Sendable {
    let rank: Int
    let size: Int
    let localRank: Int
    let localSize: Int
    let host: String
    /// Whether MPI allowed a communication thread (`MPI_THREAD_SERIALIZED`).
    let overlapsCommunication: Bool
    let thread: CommunicationThread

    /// Seconds a collective may wait before this rank reports where it is waiting.
    var stallInterval: TimeInterval
    /// Seconds a collective may wait before it fails.
    var timeout: TimeInterval

    private let dataComm: MPI_Comm?
    private let controlComm: MPI_Comm?
    private let monitor: PeerMonitor
    /// Collectives started so far (every rank numbers them alike).
    private var sequence = 0
    /// The last training step a collective was labelled with.
    private var lastStep: Int?
    /// The error that broke communication; every later collective fails with it.
    private var failure: TandemError?
    private var pendingSends: [(request: MPI_Request?, buffer: UnsafeMutableRawPointer)] = []
    private var isShutDown = false
    private static let reportTag: Int32 = 7

    /// Initialises MPI (once per process) and duplicates the world communicator twice: one
    /// for data, one for reports, so a report can never match a collective's messages.
    init() throws(TandemError) {
        var provided: Int32 = 0
        var rc = MPI_Init_thread(nil, nil, cmpi_thread_serialized(), &provided)
        guard rc == cmpi_success() else { throw Self.error("MPI_Init_thread", rc) }
        let world = cmpi_comm_world()
        MPI_Comm_set_errhandler(world, cmpi_errors_return())
        var rank: Int32 = 0, size: Int32 = 0
        MPI_Comm_rank(world, &rank)
        MPI_Comm_size(world, &size)
        var data = cmpi_comm_null(), control = cmpi_comm_null(), local = cmpi_comm_null()
        rc = MPI_Comm_dup(world, &data)
        guard rc == cmpi_success() else { throw Self.error("MPI_Comm_dup", rc) }
        MPI_Comm_dup(world, &control)
        MPI_Comm_set_errhandler(data, cmpi_errors_return())
        MPI_Comm_set_errhandler(control, cmpi_errors_return())
        var localRank: Int32 = 0, localSize: Int32 = 1
        if MPI_Comm_split_type(world, cmpi_comm_type_shared(), rank, cmpi_info_null(), &local) == cmpi_success() {
            MPI_Comm_rank(local, &localRank)
            MPI_Comm_size(local, &localSize)
            MPI_Comm_free(&local)
        }
        var name = [CChar](repeating: 0, count: Int(cmpi_max_processor_name()) + 1)
        var length: Int32 = 0
        MPI_Get_processor_name(&name, &length)

        self.rank = Int(rank)
        self.size = Int(size)
        self.localRank = Int(localRank)
        self.localSize = Int(localSize)
        self.host = String(decoding: name.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        dataComm = data
        controlComm = control
        monitor = PeerMonitor(rank: Int(rank), size: Int(size))
        overlapsCommunication = provided >= cmpi_thread_serialized()
        thread = CommunicationThread(inline: !overlapsCommunication)
        let environment = ProcessInfo.processInfo.environment
        stallInterval = environment["TANDEM_STALL_SECONDS"].flatMap(Double.init) ?? 1
        timeout = environment["TANDEM_COLLECTIVE_TIMEOUT"].flatMap(Double.init) ?? 600
    }

    // MARK: Collectives (communication thread)

    /// Sums (or takes the max or min of) `count` floats at `buffer` over the ranks, in place, or
    /// from `source` into `buffer` when a source is given (no copy of a value still in use).
    func allreduce(
        _ buffer: UnsafeMutablePointer<Float>, from source: UnsafePointer<Float>? = nil, count: Int, op: ReduceOp,
        _ collective: Collective
    ) throws(TandemError) {
        let mpiOp: MPI_Op
        switch op {
        case .sum, .average: mpiOp = cmpi_sum()
        case .max: mpiOp = cmpi_max()
        case .min: mpiOp = cmpi_min()
        }
        try perform(collective, count: count) { request in
            MPI_Iallreduce(
                source.map { UnsafeRawPointer($0) } ?? UnsafeRawPointer(cmpi_in_place()), buffer, Int32(count), cmpi_float(), mpiOp,
                self.dataComm, request)
        }
    }

    /// Copies `count` floats at `buffer` from rank `root` to every rank.
    func broadcast(_ buffer: UnsafeMutablePointer<Float>, count: Int, root: Int, _ collective: Collective) throws(TandemError) {
        try perform(collective, count: count) { request in
            MPI_Ibcast(buffer, Int32(count), cmpi_float(), Int32(root), self.dataComm, request)
        }
    }

    /// Waits until every rank has arrived.
    func barrier(_ collective: Collective) throws(TandemError) {
        try perform(collective, count: 0) { request in MPI_Ibarrier(self.dataComm, request) }
    }

    /// Every rank's `bytes` (all of the same length), in rank order.
    func allgather(_ bytes: [UInt8], _ collective: Collective) throws(TandemError) -> [[UInt8]] {
        let n = bytes.count
        let send = UnsafeMutablePointer<UInt8>.allocate(capacity: max(n, 1))
        let receive = UnsafeMutablePointer<UInt8>.allocate(capacity: max(n * size, 1))
        defer {
            send.deallocate()
            receive.deallocate()
        }
        send.initialize(from: bytes, count: n)
        try perform(collective, count: n) { request in
            MPI_Iallgather(send, Int32(n), cmpi_byte(), receive, Int32(n), cmpi_byte(), self.dataComm, request)
        }
        return (0..<size).map { Array(UnsafeBufferPointer(start: receive + $0 * n, count: n)) }
    }

    /// Starts a collective with `start` and polls it to completion, reading reports meanwhile.
    private func perform(
        _ collective: Collective, count: Int, _ start: (UnsafeMutablePointer<MPI_Request?>) -> Int32
    ) throws(TandemError) {
        sequence += 1
        if let step = collective.step { lastStep = step }
        let here = collective.describe(sequence: sequence)
        if let failure {
            throw .distributed(
                op: collective.kind.rawValue,
                reason: "\(here) was not attempted: communication broke down earlier (\(failure))", location: nil)
        }
        guard count <= Int(Int32.max) else {
            throw fail(.distributed(
                op: collective.kind.rawValue, reason: "\(here): \(count) elements exceed MPI's count limit", location: nil))
        }
        var request: MPI_Request? = cmpi_request_null()
        let rc = start(&request)
        guard rc == cmpi_success() else {
            throw fail(.distributed(op: collective.kind.rawValue, reason: "\(here) failed to start: \(Self.message(rc))", location: nil))
        }
        do throws(TandemError) {
            try complete(&request, collective)
        } catch {
            throw fail(error)
        }
    }

    /// Polls `request` until it completes; between polls reads reports, and after the stall
    /// interval reports where this rank waits. Throws as soon as a report proves the collective
    /// can never complete, or when the timeout passes.
    private func complete(_ request: inout MPI_Request?, _ collective: Collective) throws(TandemError) {
        let start = MPI_Wtime()
        var announced = false
        while true {
            var flag: Int32 = 0
            let rc = MPI_Test(&request, &flag, cmpi_status_ignore())
            guard rc == cmpi_success() else {
                throw .distributed(
                    op: collective.kind.rawValue,
                    reason: "\(collective.describe(sequence: sequence)) failed on rank \(rank): \(Self.message(rc)) "
                        + "(ranks that call different collectives at the same point make MPI fail this way)",
                    location: nil)
            }
            if flag != 0 { return }
            try readReports(waitingIn: collective)
            flushSends()
            let waited = MPI_Wtime() - start
            if !announced && waited >= stallInterval {
                announced = true
                send(PeerMonitor.Report(
                    kind: .waiting, rank: rank, host: host, sequence: sequence, fingerprint: collective.fingerprint,
                    collective: collective.describe(sequence: sequence), step: collective.step))
            }
            if waited >= timeout { throw monitor.timeout(timeout, sequence: sequence, collective) }
            // MPI moves a large message only inside MPI_Test, so keep polling (yielding the core
            // to any other runnable thread) while a transfer may be under way; a wait longer
            // than that means another rank is still computing, and this thread then sleeps
            // between polls so that it does not take a core from the computation.
            if waited < 0.1 {
                sched_yield()
            } else {
                usleep(waited < 1 ? 50 : 500)
            }
        }
    }

    /// Records `error` as the end of communication and tells the other ranks at once, so they
    /// stop waiting for this one.
    private func fail(_ error: TandemError) -> TandemError {
        if failure == nil {
            failure = error
            send(PeerMonitor.Report(kind: .aborted, rank: rank, host: host, sequence: sequence, step: lastStep, reason: "\(error)"))
        }
        return error
    }

    // MARK: Reports

    /// Reads every report that arrived; while waiting in `collective`, throws the error a report proves.
    private func readReports(waitingIn collective: Collective?) throws(TandemError) {
        while let report = receiveReport() {
            if let collective, let error = monitor.receive(report, waitingIn: sequence, collective) { throw error }
            if collective == nil { monitor.record(report) }
        }
    }

    private func receiveReport() -> PeerMonitor.Report? {
        var flag: Int32 = 0
        var status = MPI_Status()
        guard MPI_Iprobe(cmpi_any_source(), Self.reportTag, controlComm, &flag, &status) == cmpi_success(), flag != 0 else {
            return nil
        }
        var count: Int32 = 0
        MPI_Get_count(&status, cmpi_byte(), &count)
        var bytes = [UInt8](repeating: 0, count: Int(max(count, 0)))
        let source = cmpi_status_source(&status)
        let rc = bytes.withUnsafeMutableBytes { raw in
            MPI_Recv(raw.baseAddress, count, cmpi_byte(), source, Self.reportTag, controlComm, cmpi_status_ignore())
        }
        guard rc == cmpi_success() else { return nil }
        return try? JSONDecoder().decode(PeerMonitor.Report.self, from: Data(bytes))
    }

    /// Sends a report to every other rank (nonblocking; the buffers live until sent).
    private func send(_ report: PeerMonitor.Report) {
        guard size > 1, let data = try? JSONEncoder().encode(report) else { return }
        for peer in 0..<size where peer != rank {
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(data.count, 1), alignment: 8)
            data.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress!, byteCount: data.count) }
            var request: MPI_Request? = cmpi_request_null()
            if MPI_Isend(buffer, Int32(data.count), cmpi_byte(), Int32(peer), Self.reportTag, controlComm, &request) == cmpi_success() {
                pendingSends.append((request, buffer))
            } else {
                buffer.deallocate()
            }
        }
    }

    /// Frees the buffers of reports that have been sent.
    private func flushSends() {
        pendingSends.removeAll { entry in
            var request = entry.request
            var flag: Int32 = 0
            guard MPI_Test(&request, &flag, cmpi_status_ignore()) == cmpi_success(), flag != 0 else { return false }
            entry.buffer.deallocate()
            return true
        }
    }

    // MARK: Shutdown

    /// The handshake at the end of the process: reports "finished" (how many collectives this
    /// rank completed, its last step), waits until every rank has finished, then finalises MPI.
    /// A rank still waiting in a collective learns from the report that this rank will never
    /// join it. After a failure (here or on another rank) MPI is not finalised: a collective
    /// may still be pending, and `MPI_Finalize` would wait for it forever.
    ///
    /// - Returns: whether every rank finished cleanly.
    @discardableResult
    func shutDown() -> Bool {
        guard !isShutDown else { return failure == nil }
        isShutDown = true
        if failure != nil {
            // A collective of this rank is still pending, so MPI cannot be finalised: let the
            // "aborted" report go out, then abort the job, which tells the launcher this rank
            // is the one that failed (and why, in the error printed before).
            drainSends(for: 1)
            MPI_Abort(cmpi_comm_world(), 1)
            return false
        }
        send(PeerMonitor.Report(kind: .finished, rank: rank, host: host, sequence: sequence, step: lastStep))
        let start = MPI_Wtime()
        while !monitor.everyPeerFinished && monitor.abortedPeer == nil && MPI_Wtime() - start < timeout {
            try? readReports(waitingIn: nil)
            flushSends()
            usleep(200)
        }
        if monitor.abortedPeer != nil {
            // The failed rank aborts the job, which stops this process too; exiting first would
            // make the launcher blame this rank.
            drainSends(for: 1)
            let deadline = MPI_Wtime() + 10
            while MPI_Wtime() < deadline { usleep(10_000) }
            return false
        }
        drainSends(for: 5)
        guard monitor.everyPeerFinished else { return false }
        MPI_Finalize()
        return true
    }

    /// Waits up to `seconds` for the reports in flight to be sent.
    private func drainSends(for seconds: Double) {
        let deadline = MPI_Wtime() + seconds
        while !pendingSends.isEmpty && MPI_Wtime() < deadline {
            flushSends()
            usleep(200)
        }
    }

    // MARK: Errors

    private static func error(_ call: String, _ code: Int32) -> TandemError {
        .distributed(op: "ProcessGroup", reason: "\(call) failed: \(message(code))", location: nil)
    }

    /// MPI's text for an error code.
    static func message(_ code: Int32) -> String {
        var text = [CChar](repeating: 0, count: Int(cmpi_max_error_string()) + 1)
        var length: Int32 = 0
        MPI_Error_string(code, &text, &length)
        return String(decoding: text.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self) + " (MPI error \(code))"
    }
}
