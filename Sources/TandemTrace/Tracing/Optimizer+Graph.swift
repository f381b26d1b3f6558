/// The graph optimizer that applies the same update as an eager optimizer, for a traced
/// training step. Both frontends' updates are `OptimizerKernels`' torch.optim formulas, so the
/// traced step matches eager `step()` number for number.
///
/// Supported: `SGD` (with momentum and Nesterov, without dampening or weight decay) and `Adam`
/// (without weight decay or AMSGrad), neither maximising; these are the updates a graph
/// train op implements. Anything else is an error naming the optimizer and the option.
func graphOptimizer(for optimizer: Optimizer, at location: SourceLocation) throws -> TrainingOptimizer {
    func unsupported(_ reason: String) -> TandemError {
        .invalidValue(op: "traceTrainingStep", reason: reason, location: location)
    }
    if optimizer.stateDict().keys.contains(where: { $0.hasPrefix("state.") }) {
        throw unsupported(
            "the \(type(of: optimizer)) optimizer has already stepped (it holds momentum or moment buffers); "
                + "trace the training step before its first step, so the graph's slots start where the optimizer's do")
    }
    if let sgd = optimizer as? SGD {
        guard sgd.dampening == 0, sgd.weightDecay == 0, !sgd.maximize else {
            throw unsupported(
                "SGD with dampening \(sgd.dampening), weightDecay \(sgd.weightDecay), maximize \(sgd.maximize) cannot be "
                    + "traced: a graph train op applies SGD without dampening, weight decay or maximize (add weight decay to the loss)")
        }
        if sgd.momentum == 0 { return GradientDescentOptimizer(learningRate: sgd.lr) }
        return MomentumOptimizer(learningRate: sgd.lr, momentum: sgd.momentum, useNesterov: sgd.nesterov)
    }
    if let adam = optimizer as? Adam {
        guard adam.weightDecay == 0, !adam.amsgrad, !adam.maximize else {
            throw unsupported(
                "Adam with weightDecay \(adam.weightDecay), amsgrad \(adam.amsgrad), maximize \(adam.maximize) cannot be "
                    + "traced: a graph train op applies Adam without weight decay, AMSGrad or maximize")
        }
        return AdamOptimizer(learningRate: adam.lr, beta1: adam.betas.0, beta2: adam.betas.1, epsilon: adam.eps)
    }
    throw unsupported("\(type(of: optimizer)) cannot be traced into a graph train op (SGD and Adam can)")
}
