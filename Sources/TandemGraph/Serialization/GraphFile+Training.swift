/// The graph file's records of training state: optimizer update rules (with their learning-rate
/// input and global step), training functions, and optimizer slots.
extension GraphFile.Rule {
    /// The record of an update's rule.
    init(_ update: OptimizerUpdate) {
        switch update.rule {
        case let .sgd(lr, momentum, nesterov):
            self.init(kind: "sgd", learningRate: lr, momentum: momentum, nesterov: nesterov ? true : nil)
        case let .adam(lr, b1, b2, eps):
            self.init(kind: "adam", learningRate: lr, beta1: b1, beta2: b2, epsilon: eps)
        case let .rmsprop(lr, decay, momentum, eps):
            self.init(kind: "rmsprop", learningRate: lr, momentum: momentum, epsilon: eps, decay: decay)
        case let .adamW(lr, b1, b2, eps, weightDecay):
            self.init(kind: "adamw", learningRate: lr, beta1: b1, beta2: b2, epsilon: eps, weightDecay: weightDecay)
        }
        learningRateIsInput = update.learningRateIsInput ? true : nil
        globalStep = update.globalStep
    }

    /// The update this record describes, validated against the node's inputs and the graph's
    /// variables so far.
    func decode(
        variables: [Int], inputs: [Node], graph: Graph, label: String, fail: (String) -> TandemError
    ) throws -> OptimizerUpdate {
        let rateInput = learningRateIsInput ?? false
        guard variables.count + (rateInput ? 1 : 0) == inputs.count,
              variables.allSatisfy({ $0 >= 0 && $0 < graph.variables.count }),
              !rateInput || inputs.last!.staticShape.isEmpty
        else { throw fail("corrupt: \(label) is an update with invalid variables or inputs") }
        if let globalStep {
            guard globalStep >= 0, globalStep < graph.variables.count, graph.variables[globalStep].staticShape.isEmpty else {
                throw fail("corrupt: \(label) increments an invalid global step variable")
            }
        }
        let rule: OptimizerUpdate.Rule
        switch kind {
        case "sgd": rule = .sgd(learningRate: learningRate, momentum: momentum ?? 0, nesterov: nesterov ?? false)
        case "adam":
            rule = .adam(learningRate: learningRate, beta1: beta1 ?? 0.9, beta2: beta2 ?? 0.999, epsilon: epsilon ?? 1e-8)
        case "rmsprop":
            rule = .rmsprop(learningRate: learningRate, decay: decay ?? 0.9, momentum: momentum ?? 0, epsilon: epsilon ?? 1e-10)
        case "adamw":
            rule = .adamW(
                learningRate: learningRate, beta1: beta1 ?? 0.9, beta2: beta2 ?? 0.999, epsilon: epsilon ?? 1e-8,
                weightDecay: weightDecay ?? 1e-2)
        default: throw fail("corrupt: \(label) has unknown optimizer '\(kind)'")
        }
        return OptimizerUpdate(rule: rule, variables: variables, learningRateIsInput: rateInput, globalStep: globalStep)
    }
}

extension GraphFile.Function {
    /// The record of a training function.
    init(_ function: TrainingFunction) {
        switch function {
        case let .decay(.exponential(lr, steps, rate, staircase)):
            self.init(kind: "exponential_decay", learningRate: lr, decaySteps: steps, decayRate: rate, staircase: staircase)
        case let .decay(.cosine(lr, steps, alpha)):
            self.init(kind: "cosine_decay", learningRate: lr, decaySteps: steps, alpha: alpha)
        case .globalNorm:
            self.init(kind: "global_norm")
        case .clipCoefficient(let clipNorm):
            self.init(kind: "clip_coefficient", clipNorm: clipNorm)
        }
    }

    /// The function this record describes, or nil when it is incomplete or invalid.
    func decode() -> TrainingFunction? {
        let function: TrainingFunction
        switch kind {
        case "exponential_decay":
            guard let learningRate, let decaySteps, let decayRate else { return nil }
            function = .decay(.exponential(learningRate: learningRate, decaySteps: decaySteps, decayRate: decayRate, staircase: staircase ?? false))
        case "cosine_decay":
            guard let learningRate, let decaySteps else { return nil }
            function = .decay(.cosine(learningRate: learningRate, decaySteps: decaySteps, alpha: alpha ?? 0))
        case "global_norm":
            function = .globalNorm
        case "clip_coefficient":
            guard let clipNorm, clipNorm > 0, clipNorm.isFinite else { return nil }
            function = .clipCoefficient(clipNorm: clipNorm)
        default:
            return nil
        }
        if case .decay(let decay) = function, decay.invalidReason != nil { return nil }
        return function
    }
}

extension Graph {
    /// Gives a loaded session the optimizer slots saved with each update node.
    static func restoreSlots(
        _ records: [(Node, [GraphFile.Tensor])], into session: Session, floats: [Float], fail: (String) -> TandemError
    ) throws {
        for (node, tensors) in records {
            var slots: [String: NDArray] = [:]
            for tensor in tensors {
                let range = tensor.data
                // Checked arithmetic throughout: a crafted file must not trap on overflow.
                let elements = elementCount(of: tensor.shape)
                guard range.offset >= 0, range.count >= 0, range.offset <= floats.count - range.count,
                      let elements, elements == range.count
                else { throw fail("corrupt: slot '\(tensor.name)' of '\(node.name)' has no valid data for shape \(tensor.shape)") }
                slots[tensor.name] = NDArray(shape: tensor.shape, scalars: Array(floats[range.offset..<(range.offset + range.count)]))
            }
            do {
                try session.loadOptimizerSlots(slots, of: node)
            } catch {
                throw fail("corrupt: \(error)")
            }
        }
    }
}
