import Foundation
import TandemTrace

/// The third column: eager code, graph execution. The spec's eager `Sequential` (the Module path,
/// weights loaded through its state dict) and the eager `SGD` are traced once into one training
/// graph (`traceTrainingStep`, tf.function's train step); each step is then one `Session.run`.
final class TracedTrainer: Trainer {
    let module: TandemEager.Sequential
    let train: TracedTrainingStep

    init(_ comparison: Comparison, weights: [(name: String, value: NDArray)]) throws {
        let spec = comparison.spec
        module = try spec.makeModule(weights: weights)
        let optimizer = SGD(module.parameters, lr: comparison.learningRate, momentum: comparison.momentum)
        let example = Tensor(zeros: [comparison.batchSize] + spec.sampleShape)
        let target = Tensor(labels: Array(repeating: 0, count: comparison.batchSize))
        train = try traceTrainingStep(module, optimizer: optimizer, example: example, target: target) { crossEntropy($0, $1) }
    }

    func step(_ inputs: NDArray, _ labels: [Int]) throws -> Double {
        Double(try train.step(Tensor(inputs), Tensor(labels: labels)))
    }
}

extension Comparison {
    /// The largest difference between the eager Module's logits and the traced module's (the same
    /// Module recorded by `trace` and run as a graph) on one batch, as a parity row.
    func compareTracedLogits(weights: [(name: String, value: NDArray)], batch: NDArray) throws -> ActivationDiff {
        let module = try spec.makeModule(weights: weights)
        let input = Tensor(batch)
        let eager = try checked { noGrad { module(input).array } }
        let traced = try trace(module, example: input)
        let logits = try traced(input).array
        return ActivationDiff(layer: "traced Module (graph execution): logits", maxAbsDiff: maxAbsDifference(logits, eager), shape: logits.shape)
    }
}
