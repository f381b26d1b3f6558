import Foundation
import TandemKernels

/// The processes training together (`torch.distributed`'s default process group; Horovod's
/// `hvd.rank()`, `hvd.size()`, `hvd.allreduce`): each has a rank, `0..<size`, and they exchange
/// values with collectives that every rank calls in the same order.
///
/// ``world`` is the group `mpirun` started. A program run without `mpirun` is a group of one:
/// every collective then returns its input, so the same training code runs on a laptop and on
/// a cluster.
///
/// ```swift
/// let group = ProcessGroup.world               // mpirun -np 4 ...: rank 0...3, size 4
/// var g = NDArray(shape: [3], scalars: [Float(group.rank), 1, 2])
/// try group.allreduce(&g, op: .average)        // the same mean on every rank
/// ```
///
/// Collectives throw instead of hanging when the ranks disagree: a rank that finished early
/// (uneven numbers of batches), ranks in different collectives, a rank that failed, or a wait
/// longer than ``timeout``. The error names the ranks, the collective and the training ``step``.
public final class ProcessGroup: @unchecked Sendable {
    /// The group of every process the launcher started (`MPI_COMM_WORLD`), or a group of one
    /// when the process was not started by `mpirun` (or `TANDEM_MPI=0`).
    ///
    /// Starting MPI happens on first use; a failure to start it stops the program with MPI's
    /// message (nothing can run without it).
    public static let world: ProcessGroup = {
        guard launchedByMPI else { return ProcessGroup(backend: nil) }
        do {
            return ProcessGroup(backend: try MPIBackend())
        } catch {
            fatalError("Tandem error: \(error)")
        }
    }()

    /// A group of one process: collectives return their inputs. What ``world`` is without `mpirun`.
    public static func single() -> ProcessGroup { ProcessGroup(backend: nil) }

    /// Whether an MPI launcher started this process (its environment says so).
    public static var launchedByMPI: Bool {
        let environment = ProcessInfo.processInfo.environment
        if let forced = environment["TANDEM_MPI"] { return forced == "1" }
        return ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE", "PMI_RANK", "MV2_COMM_WORLD_SIZE"]
            .contains { environment[$0] != nil }
    }

    /// This process's number, `0..<size` (rank 0 usually prints and saves).
    public let rank: Int
    /// The number of processes.
    public let size: Int
    /// This process's number among those on the same machine (`hvd.local_rank()`).
    public let localRank: Int
    /// The number of processes on this machine.
    public let localSize: Int
    /// The machine's name, as MPI reports it (quoted in errors).
    public let hostName: String
    /// The training step the next collectives belong to, quoted in their errors
    /// (``DistributedDataParallel`` and ``DistributedOptimizer`` keep it up to date).
    public var step: Int?

    let backend: MPIBackend?

    init(backend: MPIBackend?) {
        self.backend = backend
        rank = backend?.rank ?? 0
        size = backend?.size ?? 1
        localRank = backend?.localRank ?? 0
        localSize = backend?.localSize ?? 1
        hostName = backend?.host ?? ProcessInfo.processInfo.hostName
        if backend != nil { atexit { ProcessGroup.world.shutDown() } }
        registerDistributedKernels()
    }

    /// Whether the group communicates through MPI (false for a group of one).
    public var usesMPI: Bool { backend != nil }

    /// Whether collectives run on a communication thread, so that asynchronous ones overlap
    /// the caller's work (MPI granted `MPI_THREAD_SERIALIZED`).
    public var overlapsCommunication: Bool { backend?.overlapsCommunication ?? false }

    /// Seconds a collective may wait before this rank reports where it waits (how quickly
    /// ranks in different collectives are told apart). Default 1, or `TANDEM_STALL_SECONDS`.
    public var stallInterval: TimeInterval {
        get { backend?.stallInterval ?? 1 }
        set { backend.map { backend in backend.thread.sync { backend.stallInterval = newValue } } }
    }

    /// Seconds a collective may wait for the other ranks before it fails. Default 600, or
    /// `TANDEM_COLLECTIVE_TIMEOUT`.
    public var timeout: TimeInterval {
        get { backend?.timeout ?? 600 }
        set { backend.map { backend in backend.thread.sync { backend.timeout = newValue } } }
    }

    // MARK: Collectives

    /// Combines `array` element by element over the ranks, in place (`dist.all_reduce`).
    ///
    /// - Parameters:
    ///   - array: this rank's values; the same shape on every rank. Holds the result after.
    ///   - op: sum (default), average, max or min.
    ///   - label: what the values are, quoted in errors ("loss", "gradient of fc1.weight").
    public func allreduce(_ array: inout NDArray, op: ReduceOp = .sum, label: String = "") throws {
        try allreduceTyped(&array, op: op, label: label)
    }

    /// `allreduce` with the error type spelled out.
    func allreduceTyped(_ array: inout NDArray, op: ReduceOp, label: String) throws(TandemError) {
        guard let backend else { return }
        array.makeUniqueAndContiguous()
        let collective = Collective(kind: .allreduce, count: array.count, op: op, label: label, step: step)
        let pointer = array.storage.pointer + array.offset
        let count = array.count
        let result: TandemError? = backend.thread.sync {
            do throws(TandemError) {
                try backend.allreduce(pointer, count: count, op: op, collective)
                return nil
            } catch {
                return error
            }
        }
        if let result { throw result }
        if op == .average { OptimizerKernels.scale(&array, by: 1 / Float(size)) }
    }

    /// The combination over the ranks of `input`, in a new array: the input is only read (a
    /// graph value may still be in use), so nothing is copied before the collective.
    func allreduced(_ input: NDArray, op: ReduceOp, label: String) throws(TandemError) -> NDArray {
        guard let backend else { return input }
        let source = input.contiguous()
        var result = NDArray(uninitializedShape: source.shape)
        let collective = Collective(kind: .allreduce, count: source.count, op: op, label: label, step: step)
        let target = result.storage.pointer
        let count = source.count
        let error: TandemError? = backend.thread.sync {
            source.withUnsafeBufferPointer { values in
                do throws(TandemError) {
                    try backend.allreduce(target, from: values.baseAddress, count: count, op: op, collective)
                    return nil
                } catch {
                    return error
                }
            }
        }
        if let error { throw error }
        if op == .average { OptimizerKernels.scale(&result, by: 1 / Float(size)) }
        return result
    }

    /// Combines a few values over the ranks (`op` default: sum), for example losses to average.
    ///
    /// - Parameters:
    ///   - values: this rank's values; the same count on every rank.
    ///   - op: sum (default), average, max or min.
    ///   - label: what the values are, quoted in errors.
    public func allreduce(_ values: [Float], op: ReduceOp = .sum, label: String = "") throws -> [Float] {
        var array = NDArray(shape: [values.count], scalars: values)
        try allreduceTyped(&array, op: op, label: label)
        return array.scalars
    }

    /// Starts an allreduce and returns at once (`dist.all_reduce(..., async_op=True)`): the
    /// communication thread runs it while the caller goes on; ``CollectiveWork/wait()`` returns
    /// the result. Collectives run in the order they were started.
    ///
    /// - Parameters:
    ///   - array: this rank's values (copied if shared, so the caller may keep using its own).
    ///   - op: sum (default), average, max or min.
    ///   - label: what the values are, quoted in errors.
    public func allreduceAsync(_ array: NDArray, op: ReduceOp = .sum, label: String = "") -> CollectiveWork {
        let source = array.contiguous()
        return allreduceAsync(count: array.count, op: op, label: label) { target in
            source.withUnsafeBufferPointer { if $0.count > 0 { target.baseAddress!.update(from: $0.baseAddress!, count: $0.count) } }
        }
    }

    /// Starts an allreduce of `count` floats that `fill` writes into a fresh buffer (no copy of
    /// a caller's array: gradient buckets are packed straight into it).
    func allreduceAsync(
        count: Int, op: ReduceOp, label: String, fill: (UnsafeMutableBufferPointer<Float>) -> Void
    ) -> CollectiveWork {
        var values = NDArray(uninitializedShape: [count])
        values.withUnsafeMutableBufferPointer { fill($0) }
        let work = CollectiveWork(values)
        guard let backend else {
            work.complete(nil)
            return work
        }
        let collective = Collective(kind: .allreduce, count: count, op: op, label: label, step: step)
        let pointer = work.pointer
        let scale = op == .average ? 1 / Float(size) : nil
        backend.thread.submit {
            do throws(TandemError) {
                try backend.allreduce(pointer, count: count, op: op, collective)
                work.complete(nil, scale: scale)
            } catch {
                work.complete(error)
            }
        }
        return work
    }

    /// Copies rank `root`'s `array` to every rank, in place (`dist.broadcast`).
    ///
    /// - Parameters:
    ///   - array: the values (read on `root`, overwritten elsewhere); the same shape on every rank.
    ///   - root: the rank whose values everyone gets.
    ///   - label: what the values are, quoted in errors.
    public func broadcast(_ array: inout NDArray, from root: Int = 0, label: String = "") throws {
        try broadcastTyped(&array, from: root, label: label)
    }

    func broadcastTyped(_ array: inout NDArray, from root: Int, label: String) throws(TandemError) {
        guard root >= 0 && root < size else {
            throw .distributed(op: "broadcast", reason: "root rank \(root) is not in 0..<\(size)", location: nil)
        }
        guard let backend else { return }
        array.makeUniqueAndContiguous()
        let collective = Collective(kind: .broadcast, count: array.count, root: root, label: label, step: step)
        let pointer = array.storage.pointer + array.offset
        let count = array.count
        let result: TandemError? = backend.thread.sync {
            do throws(TandemError) {
                try backend.broadcast(pointer, count: count, root: root, collective)
                return nil
            } catch {
                return error
            }
        }
        if let result { throw result }
    }

    /// Waits until every rank has called it (`dist.barrier`).
    ///
    /// - Parameter label: what the ranks are synchronising for, quoted in errors.
    public func barrier(label: String = "") throws {
        guard let backend else { return }
        let collective = Collective(kind: .barrier, count: 0, label: label, step: step)
        let result: TandemError? = backend.thread.sync {
            do throws(TandemError) {
                try backend.barrier(collective)
                return nil
            } catch {
                return error
            }
        }
        if let result { throw result }
    }

    /// Every rank's `values`, in rank order (`dist.all_gather`); each rank gives the same count.
    ///
    /// - Parameters:
    ///   - values: this rank's values.
    ///   - label: what the values are, quoted in errors.
    public func allgather(_ values: [Float], label: String = "") throws -> [[Float]] {
        let bytes = values.withUnsafeBytes { Array($0) }
        return try allgatherBytes(bytes, label: label).map { chunk in
            chunk.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        }
    }

    /// Every rank's bytes, in rank order (all ranks give the same count).
    func allgatherBytes(_ bytes: [UInt8], label: String) throws(TandemError) -> [[UInt8]] {
        guard let backend else { return [bytes] }
        let collective = Collective(kind: .allgather, count: bytes.count, label: label, step: step)
        let result: Result<[[UInt8]], TandemError> = backend.thread.sync {
            do throws(TandemError) {
                return .success(try backend.allgather(bytes, collective))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Ends this process's communication: tells the other ranks it has finished, waits until
    /// they have too, and shuts MPI down. Runs by itself when the process exits; call it
    /// earlier only if the process goes on without communicating. Collectives fail afterwards.
    public func shutDown() {
        guard let backend else { return }
        _ = backend.thread.sync(timeout: backend.timeout + 5) { backend.shutDown() }
    }

}
