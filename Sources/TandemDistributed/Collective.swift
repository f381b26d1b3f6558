/// One collective call as the ranks must agree on it: what it is, how many elements, and what
/// the program was doing (a label and the training step), for the messages that name a mismatch.
struct Collective: Sendable {
    /// The kind of call.
    enum Kind: String, Sendable {
        case allreduce, broadcast, barrier, allgather
    }

    var kind: Kind
    /// Elements (floats, or bytes for an allgather) each rank contributes.
    var count: Int
    /// The reduction (allreduce) or nil.
    var op: ReduceOp?
    /// The root rank (broadcast) or nil.
    var root: Int?
    /// What the program was doing: "DistributedDataParallel gradient bucket 0/2".
    var label: String
    /// The training step the call belongs to, when the caller knows it.
    var step: Int?

    /// What every rank must call identically (the label and step may differ between ranks).
    var fingerprint: String {
        switch kind {
        case .allreduce: return "allreduce(\(op?.rawValue ?? "sum")) of \(count) floats"
        case .broadcast: return "broadcast of \(count) floats from rank \(root ?? 0)"
        case .barrier: return "barrier"
        case .allgather: return "allgather of \(count) bytes"
        }
    }

    /// "allreduce #57 (DistributedDataParallel gradient bucket 0/1, step 3)".
    func describe(sequence: Int) -> String {
        var context = label
        if let step { context += context.isEmpty ? "step \(step)" : ", step \(step)" }
        return "\(kind.rawValue) #\(sequence)" + (context.isEmpty ? "" : " (\(context))")
    }
}
