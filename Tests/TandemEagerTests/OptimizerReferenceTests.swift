import XCTest

@testable import TandemEager
import TandemTestSupport

/// Every optimizer against torch.optim (scripts/pytorch/record_optimizer_reference.py): the same
/// parameters and gradient sequence, step by step, and the final state dict key for key. One
/// parameter has no gradient at the first step, so per-parameter state and step counts start late.
///
/// Tolerances: parameters within 1e-6 + 1e-5 relative. State buffers within 1e-4 relative: torch
/// computes factors such as `1 - beta2` from Python doubles (0.999 → 0.001), Tandem from the Float
/// the caller passed (Float(0.999) → 0.00099998713, 1.3e-5 relative away), and a second-moment
/// average carries that factor in every term.
final class OptimizerReferenceTests: XCTestCase {
    /// The Tandem spelling of each recorded run's optimizer.
    static let optimizers: [String: ([Tensor]) -> Optimizer] = [
        "sgd": { SGD($0, lr: 0.1) },
        "sgd_weight_decay": { SGD($0, lr: 0.1, weightDecay: 0.05) },
        "sgd_momentum": { SGD($0, lr: 0.1, momentum: 0.9) },
        "sgd_momentum_dampening_weight_decay": { SGD($0, lr: 0.05, momentum: 0.8, dampening: 0.3, weightDecay: 0.02) },
        "sgd_nesterov": { SGD($0, lr: 0.1, momentum: 0.9, nesterov: true) },
        "sgd_nesterov_weight_decay": { SGD($0, lr: 0.1, momentum: 0.9, weightDecay: 0.01, nesterov: true) },
        "sgd_maximize": { SGD($0, lr: 0.1, momentum: 0.5, weightDecay: 0.1, maximize: true) },
        "sgd_nesterov_exponential_lr": { SGD($0, lr: 0.1, momentum: 0.9, nesterov: true) },
        "adam": { Adam($0, lr: 0.01) },
        "adam_weight_decay_amsgrad": { Adam($0, lr: 0.02, betas: (0.8, 0.95), eps: 1e-6, weightDecay: 0.1, amsgrad: true) },
        "adam_maximize_step_lr": { Adam($0, lr: 0.02, maximize: true) },
        "adamw": { AdamW($0) },
        "adamw_options": { AdamW($0, lr: 0.05, betas: (0.85, 0.98), eps: 1e-7, weightDecay: 0.1) },
        "adamw_amsgrad": { AdamW($0, lr: 0.05, weightDecay: 0.05, amsgrad: true) },
        "adamw_maximize": { AdamW($0, lr: 0.05, maximize: true) },
        "adamw_cosine_lr": { AdamW($0, lr: 0.05) },
        "rmsprop": { RMSprop($0) },
        "rmsprop_momentum": { RMSprop($0, lr: 0.01, alpha: 0.9, eps: 1e-6, momentum: 0.9) },
        "rmsprop_centered": { RMSprop($0, lr: 0.01, centered: true) },
        "rmsprop_all_options": {
            RMSprop($0, lr: 0.005, alpha: 0.95, eps: 1e-7, momentum: 0.5, centered: true, weightDecay: 0.1)
        },
        "rmsprop_maximize": { RMSprop($0, lr: 0.01, momentum: 0.3, maximize: true) },
    ]

    /// The schedulers of the runs that have one.
    static let schedulers: [String: (Optimizer) -> LRScheduler] = [
        "sgd_nesterov_exponential_lr": { ExponentialLR($0, gamma: 0.7) },
        "adam_maximize_step_lr": { StepLR($0, stepSize: 2, gamma: 0.5) },
        "adamw_cosine_lr": { CosineAnnealingLR($0, tMax: 4, etaMin: 0.001) },
    ]

    /// Fresh parameters at the recorded initial values.
    static func parameters() -> [Tensor] {
        zip(PyTorchOptimizerReference.parameterShapes, PyTorchOptimizerReference.initialParameters).map {
            Tensor(shape: $0.0, scalars: $0.1, requiresGrad: true)
        }
    }

    /// Sets the recorded gradients of `step` (nil where the recording has none).
    static func setGradients(_ parameters: [Tensor], step: Int) {
        for (parameter, grad) in zip(parameters, PyTorchOptimizerReference.gradients[step]) {
            parameter.grad = grad.map { Tensor(shape: parameter.shape, scalars: $0) }
        }
    }

    func testEveryRunIsSpelledInTandem() {
        let recorded = Set(PyTorchOptimizerReference.gradientRuns.map(\.name))
        XCTAssertEqual(recorded, Set(Self.optimizers.keys))
        XCTAssertTrue(Set(Self.schedulers.keys).isSubset(of: recorded))
    }

    func testEveryOptimizerMatchesTorchStepByStep() {
        for run in PyTorchOptimizerReference.gradientRuns {
            guard let make = Self.optimizers[run.name] else { continue }
            let parameters = Self.parameters()
            let optimizer = make(parameters)
            let scheduler = Self.schedulers[run.name]?(optimizer)
            for step in run.parameters.indices {
                Self.setGradients(parameters, step: step)
                optimizer.step()
                scheduler?.step()
                for (k, parameter) in parameters.enumerated() {
                    assertClose(parameter.scalars, run.parameters[step][k], atol: 1e-6, rtol: 1e-5, "\(run.name) step \(step) parameter \(k)")
                }
                assertClose([optimizer.lr], [run.learningRates[step]], atol: 0, rtol: 1e-6, "\(run.name) lr after step \(step)")
            }
            assertStateMatches(optimizer.stateDict(), run.finalState, run.name)
            if let scheduler {
                assertStateMatches(scheduler.stateDict(), run.finalSchedulerState, "\(run.name) scheduler")
            }
        }
    }

    func testTrainingAnMLPMatchesTorch() throws {
        let optimizers: [String: ([Tensor]) -> Optimizer] = [
            "mlp_adamw": { AdamW($0, lr: 0.01, weightDecay: 0.1) },
            "mlp_adamw_cosine_clip": { AdamW($0, lr: 0.02) },
            "mlp_rmsprop_centered_momentum": { RMSprop($0, lr: 0.01, momentum: 0.9, centered: true) },
            "mlp_sgd_nesterov_exponential": { SGD($0, lr: 0.2, momentum: 0.9, weightDecay: 0.01, nesterov: true) },
        ]
        let schedulers: [String: (Optimizer) -> LRScheduler] = [
            "mlp_adamw_cosine_clip": { CosineAnnealingLR($0, tMax: 3, etaMin: 0.002) },
            "mlp_sgd_nesterov_exponential": { ExponentialLR($0, gamma: 0.8) },
        ]
        XCTAssertEqual(Set(PyTorchOptimizerReference.modelRuns.map(\.name)), Set(optimizers.keys))
        let inputs = Tensor(PyTorchOptimizerReference.mlpInputs)
        let labels = Tensor(labels: PyTorchOptimizerReference.mlpLabels)
        for run in PyTorchOptimizerReference.modelRuns {
            let model = Sequential {
                Linear(4, 8)
                ReLU()
                Linear(8, 3)
            }
            try model.loadStateDict(PyTorchOptimizerReference.mlpInitialState)
            let optimizer = optimizers[run.name]!(model.parameters)
            let scheduler = schedulers[run.name]?(optimizer)
            var losses: [Float] = []
            for _ in run.losses {
                optimizer.zeroGrad()
                let loss = crossEntropy(model(inputs), labels)
                loss.backward()
                if run.name.hasSuffix("_clip") { clipGradNorm(model.parameters, maxNorm: 0.5) }
                optimizer.step()
                scheduler?.step()
                losses.append(loss.item())
            }
            assertClose(losses, run.losses, atol: 1e-5, rtol: 1e-4, "\(run.name) losses")
            let state = model.stateDict()
            for (key, values) in run.finalState {
                assertClose(state[key]?.scalars ?? [], values, atol: 1e-5, rtol: 1e-4, "\(run.name) final \(key)")
            }
        }
    }
}

/// Asserts that a Tandem state dict has exactly the recorded keys, shapes and (within float
/// rounding of hyperparameters, see ``OptimizerReferenceTests``) values.
func assertStateMatches(
    _ state: [String: NDArray], _ expected: [String: PyTorchOptimizerReference.Entry], _ message: String,
    file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertEqual(state.keys.sorted(), expected.keys.sorted(), "\(message): keys", file: file, line: line)
    for (key, entry) in expected {
        guard let value = state[key] else { continue }
        XCTAssertEqual(value.shape, entry.shape, "\(message): shape of \(key)", file: file, line: line)
        assertClose(value.scalars, entry.values, atol: 1e-7, rtol: 1e-4, "\(message): \(key)", file: file, line: line)
    }
}
