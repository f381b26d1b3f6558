import TandemGraph
import TandemKernels

/// The graph node that averages a value over the ranks (Horovod's `HorovodAllreduce` op): a
/// ``CustomKernel`` whose run calls the process group's allreduce. Nodes of one group and
/// reduction share a fusion key, so the graph optimiser may run several as one allreduce.
final class AllreduceKernel: CustomKernel {
    static let kernelName = "allreduce"

    let group: ProcessGroup
    let op: ReduceOp
    let fusionThresholdBytes: Int

    init(group: ProcessGroup, op: ReduceOp, fusionThresholdBytes: Int) {
        self.group = group
        self.op = op
        self.fusionThresholdBytes = fusionThresholdBytes
    }

    /// Rebuilds a kernel from a graph file (the world group: a file cannot name another).
    convenience init(attributes: [String: String]) throws {
        guard let op = ReduceOp(rawValue: attributes["op"] ?? "average") else {
            throw ShapeRuleError("unknown reduction '\(attributes["op"] ?? "")'")
        }
        self.init(group: .world, op: op, fusionThresholdBytes: attributes["fusion_threshold_bytes"].flatMap(Int.init) ?? 0)
    }

    var name: String { Self.kernelName }
    var attributes: [String: String] { ["op": op.rawValue, "fusion_threshold_bytes": String(fusionThresholdBytes)] }
    var fusionKey: String? { fusionThresholdBytes > 0 ? "allreduce.\(op.rawValue).\(ObjectIdentifier(group).hashValue)" : nil }

    func outputShape(_ inputShapes: [[Int]]) throws -> [Int] {
        guard let first = inputShapes.first else { throw ShapeRuleError("allreduce needs a value to reduce") }
        return first
    }

    func evaluate(_ inputs: [NDArray], nodes: [Node]) throws -> NDArray {
        let what = nodes.count == 1 ? "'\(nodes[0].name)'" : "\(nodes.count) values fused ('\(nodes[0].name)', ...)"
        return try group.allreduced(inputs[0], op: op, label: "graph allreduce of \(what)")
    }
}

/// The graph node that checks, at the first run of a train op, that every rank holds the same
/// variables (a forgotten broadcast after initialisation, or per-rank random weights, is then
/// an error naming the variables and ranks). It also counts the train op's runs, which label
/// the step in every allreduce's errors. Its inputs are the variables; its value is empty.
final class ReplicaCheckKernel: CustomKernel {
    static let kernelName = "replica_check"

    let group: ProcessGroup
    private(set) var runs = 0

    init(group: ProcessGroup) {
        self.group = group
    }

    var name: String { Self.kernelName }

    func outputShape(_ inputShapes: [[Int]]) throws -> [Int] { [0] }

    func evaluate(_ inputs: [NDArray], nodes: [Node]) throws -> NDArray {
        runs += 1
        group.step = runs
        if runs == 1 {
            let names = nodes[0].inputs.map(\.name)
            try ReplicaCheck.verify(
                Array(zip(names, inputs)).map { (name: $0.0, value: $0.1) }, in: group, what: "DistributedOptimizer",
                fix: "run session.broadcastVariables(from: 0) after initializing the variables (Horovod's "
                    + "broadcast_global_variables)")
        }
        return NDArray(zeros: [0])
    }
}

/// Registers TandemDistributed's graph kernels (allreduce, replica check), so that a graph file
/// holding them can be loaded. Creating a ``ProcessGroup`` or a ``DistributedOptimizer`` does
/// this too; call it yourself before `Graph.load(from:)` in a program that does neither.
public func registerDistributedKernels() {
    CustomKernels.register(AllreduceKernel.kernelName) { try AllreduceKernel(attributes: $0) }
    CustomKernels.register(ReplicaCheckKernel.kernelName) { _ in ReplicaCheckKernel(group: .world) }
}
