import TandemGraph
import TandemKernels

/// Data-parallel training for a graph (Horovod's `hvd.DistributedOptimizer`): wraps a graph
/// optimizer so that its train op averages every gradient over the ranks, with an allreduce
/// node between the gradients and the updates. The session runs the communication as part of
/// the graph, and the graph optimiser fuses the allreduces into as few calls as the fusion
/// threshold allows (Horovod's tensor fusion).
///
/// ```swift
/// let optimizer = DistributedOptimizer(wrapping: MomentumOptimizer(learningRate: 0.05, momentum: 0.9))
/// let train = optimizer.minimize(loss)
/// let session = Session(graph: g)
/// try session.run(g.initializeVariables())
/// try session.broadcastVariables(from: 0)       // every rank starts from rank 0's weights
/// for (x, y) in shard { try session.run([loss, train], feed: [images: x, labels: y]) }
/// ```
///
/// The train op also checks, at its first run, that every rank holds the same variables (a
/// forgotten `broadcastVariables` with per-rank random weights is then an error instead of
/// replicas that silently train different models).
///
/// It is not itself a `TrainingOptimizer`, so it cannot be handed to code that would call the
/// wrapped optimizer's `minimize` and skip the averaging.
public struct DistributedOptimizer {
    /// The optimizer whose updates the averaged gradients feed.
    public let wrapped: TrainingOptimizer
    /// The ranks that train together.
    public let group: ProcessGroup
    /// The largest total size of gradients averaged by one allreduce after fusion
    /// (`HOROVOD_FUSION_THRESHOLD`, 64 MB); 0 keeps one allreduce per gradient.
    public var fusionThresholdBytes: Int

    /// Wraps an optimizer.
    ///
    /// - Parameters:
    ///   - optimizer: the update rule (`GradientDescentOptimizer`, `MomentumOptimizer`, `AdamOptimizer`).
    ///   - group: the ranks that train together (default: every process `mpirun` started).
    ///   - fusionThresholdBytes: gradients per fused allreduce (0: no fusion).
    public init(wrapping optimizer: TrainingOptimizer, group: ProcessGroup = .world, fusionThresholdBytes: Int = 64 << 20) {
        precondition(fusionThresholdBytes >= 0, "DistributedOptimizer: fusionThresholdBytes must not be negative")
        wrapped = optimizer
        self.group = group
        self.fusionThresholdBytes = fusionThresholdBytes
        registerDistributedKernels()
    }

    /// Gradients of `loss`, each averaged over the ranks by an allreduce node
    /// (`compute_gradients`).
    ///
    /// - Parameters:
    ///   - loss: the value to minimise (each rank's loss on its own shard).
    ///   - variables: the variables to differentiate with respect to (nil: every trainable one the loss depends on).
    ///   - file: the source file recorded on the nodes (defaults to the caller's, for error messages).
    ///   - line: the source line recorded on the nodes (defaults to the caller's).
    public func computeGradients(
        _ loss: Node, variables: [Node]? = nil, file: StaticString = #fileID, line: UInt = #line
    ) -> [(gradient: Node, variable: Node)] {
        let pairs = wrapped.computeGradients(loss, variables: variables, file: file, line: line)
        guard !pairs.isEmpty else { return pairs }
        let graph = loss.graph
        return graph.withNameScope("DistributedOptimizer") {
            // The check reads every variable before its update and runs first in each step;
            // as a second input of the first allreduce it is part of every run of the train op.
            let check = graph.custom(
                ReplicaCheckKernel(group: group), pairs.map(\.variable), name: "replica_check", file: file, line: line)
            let kernel = AllreduceKernel(group: group, op: .average, fusionThresholdBytes: fusionThresholdBytes)
            return pairs.enumerated().map { index, pair in
                let inputs = index == 0 ? [pair.gradient, check] : [pair.gradient]
                let averaged = graph.custom(kernel, inputs, name: "allreduce", file: file, line: line)
                return (gradient: averaged, variable: pair.variable)
            }
        }
    }

    /// A train op applying the wrapped optimizer's update from (already averaged) gradients
    /// (`apply_gradients`).
    ///
    /// - Parameters:
    ///   - pairs: (gradient, variable) pairs, usually from ``computeGradients(_:variables:file:line:)``.
    ///   - name: the train op's name (default: the optimizer's TensorFlow name).
    ///   - file: the source file recorded on the node (defaults to the caller's, for error messages).
    ///   - line: the source line recorded on the node (defaults to the caller's).
    public func applyGradients(
        _ pairs: [(gradient: Node, variable: Node)], name: String? = nil, file: StaticString = #fileID, line: UInt = #line
    ) -> Node {
        wrapped.applyGradients(pairs, name: name, file: file, line: line)
    }

    /// A train op that takes one step of the wrapped optimizer with gradients averaged over the
    /// ranks, for every trainable variable `loss` depends on.
    ///
    /// - Parameters:
    ///   - loss: the value to minimise (each rank's loss on its own shard).
    ///   - file: the source file recorded on the nodes (defaults to the caller's, for error messages).
    ///   - line: the source line recorded on the nodes (defaults to the caller's).
    public func minimize(_ loss: Node, file: StaticString = #fileID, line: UInt = #line) -> Node {
        let pairs = computeGradients(loss, file: file, line: line)
        guard !pairs.isEmpty else { return wrapped.minimize(loss, file: file, line: line) }
        return applyGradients(pairs, file: file, line: line)
    }
}
