import TandemGraph
import TandemKernels

extension Session {
    /// Copies rank `root`'s value of every variable of the graph to every rank, in one broadcast
    /// (Horovod's `broadcast_global_variables(root_rank)`). Run it once after
    /// `initializeVariables()` (or after restoring a checkpoint on the root), so every replica
    /// starts from the same weights.
    ///
    /// - Parameters:
    ///   - root: the rank whose values everyone gets.
    ///   - group: the ranks that train together (default: every process `mpirun` started).
    public func broadcastVariables(from root: Int = 0, group: ProcessGroup = .world) throws {
        let variables = graph.variables
        let values = try variables.map { try value(of: $0) }
        guard group.size > 1, !values.isEmpty else { return }
        var packed = Packing.pack(values)
        try group.broadcastTyped(&packed, from: root, label: "broadcastVariables (\(variables.count) variables)")
        for (variable, value) in zip(variables, Packing.unpack(packed, shapes: values.map(\.shape))) {
            try assign(value, to: variable)
        }
    }
}
