/// How an allreduce combines the ranks' values, element by element (`torch.distributed.ReduceOp`).
public enum ReduceOp: String, Hashable, Sendable, CaseIterable {
    /// The sum over ranks.
    case sum
    /// The mean over ranks: the sum divided by the group's size (Horovod's `average=True`,
    /// what data-parallel training does to gradients).
    case average
    /// The largest value.
    case max
    /// The smallest value.
    case min
}
