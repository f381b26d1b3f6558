import Foundation
import TandemTestSupport
import XCTest
@testable import TandemGraph

/// Replays a torch.optim run of ``PyTorchOptimizerReference`` (its recorded gradients fed to
/// the recorded initial parameters) with a graph optimizer: one train op per variable, so a
/// variable without a gradient at a step is skipped, as torch skips a parameter whose `.grad`
/// is None (its state and step count stay behind).
struct RecordedGradientRun {
    let graph = Graph()
    let variables: [Node]
    let gradients: [Node]
    let trainOps: [Node]
    let session: Session

    init(_ optimizer: TrainingOptimizer, passes: GraphOptimizer.Options = .all) throws {
        let shapes = PyTorchOptimizerReference.parameterShapes
        variables = zip(shapes, PyTorchOptimizerReference.initialParameters).enumerated().map { [graph] i, pair in
            graph.variable(NDArray(shape: pair.0, scalars: pair.1), name: "w\(i)")
        }
        gradients = shapes.enumerated().map { [graph] i, shape in graph.placeholder(shape: shape.map(Optional.some), name: "g\(i)") }
        trainOps = zip(gradients, variables).map { optimizer.applyGradients([(gradient: $0.0, variable: $0.1)]) }
        session = Session(graph: graph, options: .init(optimizer: passes))
        try session.run(graph.initializeVariables())
    }

    /// Runs step `step` of the recorded gradients.
    func run(step: Int) throws {
        for (k, values) in PyTorchOptimizerReference.gradients[step].enumerated() {
            guard let values else { continue }
            try session.run(trainOps[k], feed: [gradients[k]: NDArray(shape: PyTorchOptimizerReference.parameterShapes[k], scalars: values)])
        }
    }

    /// Replays every recorded step, checking the variables after each against `run`.
    func replay(_ run: PyTorchOptimizerReference.GradientRun, tolerance: Float, file: StaticString = #filePath, line: UInt = #line) throws {
        for step in PyTorchOptimizerReference.gradients.indices {
            try self.run(step: step)
            for (k, variable) in variables.enumerated() {
                assertClose(
                    try session.value(of: variable).scalars, run.parameters[step][k], tolerance: tolerance,
                    "\(run.name) step \(step) w\(k)", file: file, line: line)
            }
        }
    }

    /// Variable k's slot `slot` after the replay.
    func slot(_ slot: String, of k: Int) throws -> [Float]? {
        try session.optimizerSlots(of: trainOps[k])["w\(k)/\(slot)"]?.scalars
    }

    /// The recorded run named `name`.
    static func reference(_ name: String) -> PyTorchOptimizerReference.GradientRun {
        PyTorchOptimizerReference.gradientRuns.first { $0.name == name }!
    }
}
