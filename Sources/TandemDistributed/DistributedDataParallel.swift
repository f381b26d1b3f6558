import TandemEager
import TandemKernels

/// Data-parallel training for an eager ``Module`` (`torch.nn.parallel.DistributedDataParallel`):
/// every rank holds a replica of the model, trains on its own shard of each batch, and
/// `backward()` returns with the gradients averaged over the ranks, so every replica takes the
/// same optimizer step.
///
/// - At construction, rank 0's parameters and buffers (batch norm's running statistics and
///   `num_batches_tracked`) are broadcast to every rank (after checking that every rank built a
///   model with the same parameter and buffer shapes).
/// - Before a forward that follows a synced training step (and before the first one), rank 0's
///   buffers are broadcast again (PyTorch's `broadcast_buffers=True`), so every replica
///   normalises with rank 0's running statistics; `broadcastBuffers: false` lets them drift.
/// - During backward, gradients are averaged in buckets (see `bucketNames`): a bucket's
///   allreduce starts as soon as its last parameter's gradient is complete, on the
///   communication thread, while backward is still differentiating earlier layers.
/// - At the first step, the ranks check that their parameters and buffers really are identical (a change
///   made on one rank after wrapping, such as loading a checkpoint there only, is an error).
/// - ``noSync(_:)`` skips the averaging for gradient accumulation.
///
/// ```swift
/// let group = ProcessGroup.world
/// let model = DistributedDataParallel(Sequential { Linear(784, 128); ReLU(); Linear(128, 10) })
/// let optimizer = SGD(model.parameters, lr: 0.05)
/// for (x, y) in DataLoader(train, batchSize: 32, sampler: DistributedSampler(count: train.count)) {
///     optimizer.zeroGrad()
///     crossEntropy(model(x), y).backward()     // gradients averaged over the ranks here
///     optimizer.step()
/// }
/// ```
///
/// Its state-dict keys are the wrapped module's with a `module.` prefix, as in PyTorch.
public final class DistributedDataParallel: Module {
    /// The wrapped model (PyTorch's `ddp.module`).
    public let module: Module
    /// The ranks that train together.
    public let group: ProcessGroup
    /// The synced training steps taken so far (forward passes that will average gradients).
    public private(set) var iteration = 0
    /// Whether rank 0's buffers are broadcast before forward passes (PyTorch's `broadcast_buffers`).
    public let broadcastBuffers: Bool
    let reducer: GradientReducer
    /// The wrapped module's buffers with the `module.` prefix, in `namedBuffers` order.
    let buffers: [(name: String, tensor: Tensor)]
    private var checkedReplicas = false
    /// Whether the next forward broadcasts the buffers: true at first, then after every forward
    /// that was a synced training step (PyTorch's `require_forward_param_sync`).
    private var syncBuffersNext = true

    /// Wraps a model for data-parallel training.
    ///
    /// - Parameters:
    ///   - module: the model; every rank must build the same architecture.
    ///   - group: the ranks that train together (default: every process `mpirun` started).
    ///   - bucketCapacityBytes: gradients per allreduce (PyTorch's `bucket_cap_mb`, 25 MB); the
    ///     first bucket holds about 1 MB so that communication starts early.
    ///   - broadcastParameters: copy rank 0's parameters and buffers to every rank now (PyTorch always does).
    ///   - broadcastBuffers: copy rank 0's buffers to every rank before each forward that
    ///     follows a training step (PyTorch's `broadcast_buffers=True`); false keeps each
    ///     rank's own running statistics.
    public init(
        _ module: Module, group: ProcessGroup = .world, bucketCapacityBytes: Int = 25 << 20, broadcastParameters: Bool = true,
        broadcastBuffers: Bool = true
    ) {
        precondition(bucketCapacityBytes > 0, "DistributedDataParallel: bucketCapacityBytes must be positive, got \(bucketCapacityBytes)")
        self.module = module
        self.group = group
        self.broadcastBuffers = broadcastBuffers
        let named = module.namedParameters.map { (name: "module." + $0.0, tensor: $0.1) }
        buffers = module.namedBuffers.map { (name: "module." + $0.0, tensor: $0.1) }
        reducer = GradientReducer(
            parameters: named, group: group, firstBucketBytes: Swift.min(1 << 20, bucketCapacityBytes),
            bucketBytes: bucketCapacityBytes)
        do throws(TandemError) {
            try verifyShapes(named + buffers)
            if broadcastParameters { try broadcast((named + buffers).map(\.tensor), label: "initial parameters and buffers") }
        } catch {
            ErrorScope.report(error)
        }
        for (index, (_, parameter)) in named.enumerated() {
            parameter.registerPostAccumulateGradHook { [weak reducer] _ in reducer?.parameterReady(index) }
        }
    }

    /// The parameter names in each gradient bucket, in the order their allreduces start.
    public var bucketNames: [[String]] { reducer.bucketNames }

    /// How many buckets' allreduces have started in the backward pass under way (0 outside
    /// one): read from a gradient hook, it shows communication starting before backward ends.
    public var startedBuckets: Int { reducer.nextToLaunch }

    /// Whether bucket allreduces start during backward (true, DDP's overlap) or only after it
    /// has finished (false: for measuring what the overlap saves).
    public var overlapsBackward: Bool {
        get { reducer.overlaps }
        set { reducer.overlaps = newValue }
    }

    /// Runs the wrapped model. A forward with gradients on starts a training step: it checks
    /// that the previous one averaged every gradient and, at the first step, that every rank
    /// holds the same parameters.
    public func forward(_ input: Tensor) -> Tensor {
        if GradMode.isEnabled && reducer.synchronizes {
            do throws(TandemError) {
                try reducer.beginIteration()
                iteration += 1
                group.step = iteration
                if !checkedReplicas {
                    checkedReplicas = true
                    try ReplicaCheck.verify(
                        reducer.names.enumerated().map { ($1, reducer.parameters[$0].array) }, buffers: buffers.map { ($0.name, $0.tensor.array) },
                        in: group, what: "DistributedDataParallel",
                        fix: "change parameters and buffers before wrapping the model (rank 0's are broadcast then), or load a "
                            + "checkpoint on every rank")
                }
            } catch {
                // The step cannot average anything any more; inside `checked` the model still
                // runs (its result is discarded when the scope throws).
                reducer.stop(error)
                ErrorScope.report(error)
            }
        }
        if broadcastBuffers && syncBuffersNext {
            do throws(TandemError) {
                try broadcast(buffers.map(\.tensor), label: "buffers")
            } catch {
                ErrorScope.report(error)
            }
        }
        syncBuffersNext = GradMode.isEnabled && reducer.synchronizes
        return module(input)
    }

    /// Runs `body` without averaging gradients (`with ddp.no_sync():`), for gradient
    /// accumulation: backward passes inside add into `.grad` locally, and the first backward
    /// outside averages the accumulated sum.
    ///
    /// ```swift
    /// model.noSync { crossEntropy(model(x1), y1).backward() }
    /// crossEntropy(model(x2), y2).backward()            // averages x1's + x2's gradients
    /// optimizer.step()
    /// ```
    @discardableResult
    public func noSync<R>(_ body: () throws -> R) rethrows -> R {
        let saved = reducer.synchronizes
        reducer.synchronizes = false
        defer { reducer.synchronizes = saved }
        return try body()
    }

    /// Checks that every rank built parameters and buffers of the same names and shapes (a broadcast
    /// between different models would fail obscurely).
    private func verifyShapes(_ named: [(name: String, tensor: Tensor)]) throws(TandemError) {
        guard group.size > 1 else { return }
        let description = named.map { "\($0.name)\(formatShape($0.tensor.shape))" }.joined(separator: ";")
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in description.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let all = try group.allgatherBytes(withUnsafeBytes(of: hash) { Array($0) }, label: "DistributedDataParallel shape check")
        let differing = (1..<group.size).filter { all[$0] != all[0] }
        guard !differing.isEmpty else { return }
        throw .distributed(
            op: "DistributedDataParallel",
            reason: "rank\(differing.count > 1 ? "s" : "") \(differing.map(String.init).joined(separator: ", ")) built a model "
                + "whose parameter or buffer names or shapes differ from rank 0's (\(named.count) parameters and buffers here, first "
                + "\(named.first.map { "\($0.name) \(formatShape($0.tensor.shape))" } ?? "none")): every rank must build the same model",
            location: nil)
    }

    /// Copies rank 0's values of `parameters` (parameters or buffers) to every rank, packed into
    /// one broadcast.
    private func broadcast(_ parameters: [Tensor], label: String) throws(TandemError) {
        guard group.size > 1, !parameters.isEmpty else { return }
        var packed = Packing.pack(parameters.map(\.array))
        try group.broadcastTyped(&packed, from: 0, label: "DistributedDataParallel \(label)")
        for (parameter, value) in zip(parameters, Packing.unpack(packed, shapes: parameters.map(\.shape))) {
            parameter.array = value
        }
    }
}
