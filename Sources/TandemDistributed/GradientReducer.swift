import TandemEager
import TandemKernels

/// The bucketed gradient averaging behind ``DistributedDataParallel`` (PyTorch's `Reducer`).
///
/// Parameters are grouped into buckets in reverse registration order, which is roughly the
/// order backward produces their gradients (the last layer first). The first bucket is kept
/// small so communication starts early. When every parameter of a bucket has its gradient
/// (a post-accumulate hook per parameter), the bucket is packed into one buffer and its
/// allreduce starts on the communication thread while backward goes on with earlier layers.
/// Buckets start strictly in order, so every rank issues the same collectives in the same
/// order. When the last parameter is ready, the reducer waits for every bucket and writes the
/// averaged gradients back into `.grad`, before `backward()` returns.
final class GradientReducer {
    /// One bucket: parameters (indices) whose gradients travel in one allreduce.
    struct Bucket {
        var members: [Int]
        /// Each member's first element in the packed buffer.
        var offsets: [Int]
        var count: Int
        var pending = 0
        var work: CollectiveWork?
    }

    let parameters: [Tensor]
    let names: [String]
    let group: ProcessGroup
    private(set) var buckets: [Bucket]
    private var bucketOf: [Int]
    private var isReady: [Bool]
    private var readyCount = 0
    /// Buckets whose allreduce has started in the backward pass under way.
    private(set) var nextToLaunch = 0
    /// Whether this iteration's backward averages gradients (false inside `noSync`).
    var synchronizes = true
    /// Whether buckets start as soon as they are ready (false: all at the end of backward).
    var overlaps = true
    /// Set after a failed collective: the reducer then does nothing more.
    private(set) var failure: TandemError?

    init(parameters: [(name: String, tensor: Tensor)], group: ProcessGroup, firstBucketBytes: Int, bucketBytes: Int) {
        self.parameters = parameters.map(\.tensor)
        names = parameters.map(\.name)
        self.group = group
        buckets = Self.assign(parameters.map(\.tensor.count), firstBucketBytes: firstBucketBytes, bucketBytes: bucketBytes)
        bucketOf = Array(repeating: 0, count: parameters.count)
        for (b, bucket) in buckets.enumerated() {
            for member in bucket.members { bucketOf[member] = b }
        }
        isReady = Array(repeating: false, count: parameters.count)
        reset()
    }

    /// Buckets over parameters of these sizes: reverse order, each closed once it reaches its
    /// capacity (so a bucket may exceed it by its last parameter), the first with a smaller one.
    static func assign(_ counts: [Int], firstBucketBytes: Int, bucketBytes: Int) -> [Bucket] {
        var buckets: [Bucket] = []
        var current = Bucket(members: [], offsets: [], count: 0)
        var limit = firstBucketBytes
        for index in counts.indices.reversed() {
            current.members.append(index)
            current.offsets.append(current.count)
            current.count += counts[index]
            if current.count * MemoryLayout<Float>.stride >= limit {
                buckets.append(current)
                current = Bucket(members: [], offsets: [], count: 0)
                limit = bucketBytes
            }
        }
        if !current.members.isEmpty { buckets.append(current) }
        return buckets
    }

    /// The parameter names of each bucket, in launch order.
    var bucketNames: [[String]] { buckets.map { $0.members.map { names[$0] } } }

    private func reset() {
        for b in buckets.indices {
            buckets[b].pending = buckets[b].members.count
            buckets[b].work = nil
        }
        for i in isReady.indices { isReady[i] = false }
        readyCount = 0
        nextToLaunch = 0
    }

    /// Starts an iteration: fails if the previous backward left gradients unreduced (a
    /// parameter that got no gradient), as PyTorch's DDP does.
    func beginIteration() throws(TandemError) {
        if let failure { throw failure }
        guard readyCount > 0 else { return }
        let missing = isReady.indices.filter { !isReady[$0] }.map { names[$0] }
        reset()
        throw .distributed(
            op: "DistributedDataParallel",
            reason: "the previous iteration's gradients were not all averaged: \(missing.count) parameter(s) received "
                + "no gradient in backward(): \(missing.prefix(5).joined(separator: ", "))\(missing.count > 5 ? ", ..." : ""). "
                + "Every parameter must take part in computing the loss (or leave unused layers out of the model), "
                + "or the ranks would step with unaveraged gradients",
            location: nil)
    }

    /// Stops averaging after an error (every later hook does nothing).
    func stop(_ error: TandemError) {
        if failure == nil { failure = error }
    }

    /// A parameter's gradient is complete for this backward (its post-accumulate hook).
    func parameterReady(_ index: Int) {
        guard synchronizes, failure == nil, !isReady[index] else { return }
        isReady[index] = true
        readyCount += 1
        buckets[bucketOf[index]].pending -= 1
        if overlaps { launchReadyBuckets() }
        if readyCount == parameters.count { finish() }
    }

    private func launchReadyBuckets() {
        while nextToLaunch < buckets.count && buckets[nextToLaunch].pending == 0 {
            launch(nextToLaunch)
            nextToLaunch += 1
        }
    }

    private func launch(_ b: Int) {
        let bucket = buckets[b]
        let parameters = self.parameters
        buckets[b].work = group.allreduceAsync(
            count: bucket.count, op: .average, label: "DistributedDataParallel gradient bucket \(b + 1) of \(buckets.count)"
        ) { target in
            for (member, offset) in zip(bucket.members, bucket.offsets) {
                Packing.copy(parameters[member].grad!.array, to: target.baseAddress.map { $0 + offset })
            }
        }
    }

    /// Waits for every bucket and writes the averaged gradients back into `.grad`.
    private func finish() {
        launchReadyBuckets()
        defer { reset() }
        for bucket in buckets {
            do throws(TandemError) {
                let averaged = try bucket.work!.waitTyped()
                averaged.withUnsafeBufferPointer { source in
                    for (member, offset) in zip(bucket.members, bucket.offsets) where parameters[member].count > 0 {
                        parameters[member].grad!.array.withUnsafeMutableBufferPointer { target in
                            target.baseAddress!.update(from: source.baseAddress! + offset, count: target.count)
                        }
                    }
                }
            } catch {
                failure = error
                ErrorScope.report(error)
                return
            }
        }
    }
}
