import Foundation
import TandemDistributed

/// The eager Module path, data-parallel: the spec's `Sequential` inside `DistributedDataParallel`,
/// `SGD` over its parameters; `backward()` averages the gradients over the ranks.
final class DistributedModuleTrainer: Trainer, Classifier {
    let model: DistributedDataParallel
    let optimizer: SGD

    /// - Parameter overlapsBackward: start bucket allreduces during backward (DDP) or after it.
    init(
        _ comparison: Comparison, weights: [(name: String, value: NDArray)], group: ProcessGroup, overlapsBackward: Bool = true
    ) throws {
        model = try checked { DistributedDataParallel(try comparison.spec.makeModule(weights: weights), group: group) }
        model.overlapsBackward = overlapsBackward
        optimizer = SGD(model.parameters, lr: comparison.learningRate, momentum: comparison.momentum)
    }

    func step(_ inputs: NDArray, _ labels: [Int]) throws -> Double {
        try checked {
            optimizer.zeroGrad()
            let loss = crossEntropy(model(Tensor(inputs)), Tensor(labels: labels))
            loss.backward()
            optimizer.step()
            return Double(loss.item())
        }
    }

    func predictions(_ inputs: NDArray) throws -> [Int] {
        try checked { noGrad { model(Tensor(inputs)).argmax(dim: 1).scalars.map { Int($0) } } }
    }
}

/// The graph path, data-parallel: the spec's forward recorded once, `DistributedOptimizer`
/// wrapping the momentum optimizer (an allreduce node between gradients and updates), and rank
/// 0's variables broadcast after initialisation.
final class DistributedGraphTrainer: Trainer, Classifier {
    let graph = Graph()
    let inputs: Node
    let labels: Node
    let loss: Node
    let train: Node
    let predicted: Node
    let session: Session

    /// - Parameter fusionThresholdBytes: gradients per fused allreduce (0: one allreduce per gradient).
    init(
        _ comparison: Comparison, weights: [(name: String, value: NDArray)], group: ProcessGroup,
        fusionThresholdBytes: Int = 64 << 20
    ) throws {
        let spec = comparison.spec
        let graph = self.graph
        (inputs, labels, loss, train, predicted) = try checked {
            let inputs = graph.placeholder(shape: [nil] + spec.sampleShape.map { Optional($0) }, name: "x")
            let labels = graph.labelsPlaceholder(name: "y")
            let parameters = Parameters(weights) { graph.variable($1, name: $0) }
            let logits = spec.forward(inputs, parameters)
            let loss = crossEntropy(logits, labels)
            let optimizer = DistributedOptimizer(
                wrapping: MomentumOptimizer(learningRate: comparison.learningRate, momentum: comparison.momentum), group: group,
                fusionThresholdBytes: fusionThresholdBytes)
            return (inputs, labels, loss, optimizer.minimize(loss), logits.argmax(dim: 1))
        }
        session = Session(graph: graph)
        try session.run(graph.initializeVariables())
        try session.broadcastVariables(from: 0, group: group)
    }

    func step(_ x: NDArray, _ y: [Int]) throws -> Double {
        let out = try session.run([loss, train], feed: [inputs: x, labels: labelArray(y)])
        return Double(out[0].scalar)
    }

    func predictions(_ inputs: NDArray) throws -> [Int] {
        try session.run(predicted, feed: [self.inputs: inputs]).scalars.map { Int($0) }
    }
}
