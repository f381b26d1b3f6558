import TandemEager
import TandemKernels

/// Data-parallel training for an eager ``Module`` (`torch.nn.parallel.DistributedDataParallel`):
/// every rank holds a replica of the model, trains on its own shard of each batch, and
/// `backward()` returns with the gradients averaged over the ranks, so every replica takes the
/// same optimizer step.
///
/// - At construction, rank 0's parameters are broadcast to every rank (after checking that every
///   rank built a model with the same parameter shapes).
/// - During backward, gradients are averaged in buckets (see `bucketNames`): a bucket's
///   allreduce starts as soon as its last parameter's gradient is complete, on the
///   communication thread, while backward is still differentiating earlier layers.
/// - At the first step, the ranks check that their parameters really are identical (a change
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
    let reducer: GradientReducer
    private var checkedReplicas = false

    /// Wraps a model for data-parallel training.
    ///
    /// - Parameters:
    ///   - module: the model; every rank must build the same architecture.
    ///   - group: the ranks that train together (default: every process `mpirun` started).
    ///   - bucketCapacityBytes: gradients per allreduce (PyTorch's `bucket_cap_mb`, 25 MB); the
    ///     first bucket holds about 1 MB so that communication starts early.
    ///   - broadcastParameters: copy rank 0's parameters to every rank now (PyTorch always does).
    public init(
        _ module: Module, group: ProcessGroup = .world, bucketCapacityBytes: Int = 25 << 20, broadcastParameters: Bool = true
    ) {
        precondition(bucketCapacityBytes > 0, "DistributedDataParallel: bucketCapacityBytes must be positive, got \(bucketCapacityBytes)")
        self.module = module
        self.group = group
        let named = module.namedParameters.map { (name: "module." + $0.0, tensor: $0.1) }
        reducer = GradientReducer(
            parameters: named, group: group, firstBucketBytes: Swift.min(1 << 20, bucketCapacityBytes),
            bucketBytes: bucketCapacityBytes)
        do throws(TandemError) {
            try verifyShapes(named)
            if broadcastParameters { try broadcast(named.map(\.tensor)) }
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
                        reducer.names.enumerated().map { ($1, reducer.parameters[$0].array) }, in: group,
                        what: "DistributedDataParallel",
                        fix: "change parameters before wrapping the model (rank 0's are broadcast then), or load a "
                            + "checkpoint on every rank")
                }
            } catch {
                // The step cannot average anything any more; inside `checked` the model still
                // runs (its result is discarded when the scope throws).
                reducer.stop(error)
                ErrorScope.report(error)
            }
        }
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

    /// Checks that every rank built parameters of the same names and shapes (a broadcast
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
                + "whose parameter names or shapes differ from rank 0's (\(named.count) parameters here, first "
                + "\(named.first.map { "\($0.name) \(formatShape($0.tensor.shape))" } ?? "none")): every rank must build the same model",
            location: nil)
    }

    /// Copies rank 0's parameters to every rank, packed into one broadcast.
    private func broadcast(_ parameters: [Tensor]) throws(TandemError) {
        guard group.size > 1 else { return }
        var packed = Packing.pack(parameters.map(\.array))
        try group.broadcastTyped(&packed, from: 0, label: "DistributedDataParallel initial parameters")
        for (parameter, value) in zip(parameters, Packing.unpack(packed, shapes: parameters.map(\.shape))) {
            parameter.array = value
        }
    }
}
