import XCTest

@testable import TandemEager
import TandemTestSupport

/// Short training runs against PyTorch: same initial weights (loaded through the state dict),
/// same data and hyper-parameters, so every loss and final weight must agree within float32
/// rounding.
final class OptimizerTests: XCTestCase {
    func mlp(tanhSigmoid: Bool = false) throws -> Sequential {
        let model = Sequential {
            Linear(4, 8)
            if tanhSigmoid { Tanh() } else { ReLU() }
            Linear(8, 3)
            if tanhSigmoid { Sigmoid() }
        }
        try model.loadStateDict(PyTorchReference.mlpInitialState)
        return model
    }

    func cnn() throws -> Sequential {
        let model = Sequential {
            Conv2d(1, 2, kernelSize: 3)
            ReLU()
            MaxPool2d(kernelSize: 2)
            Flatten()
            Linear(8, 3)
        }
        try model.loadStateDict(PyTorchReference.cnnInitialState)
        return model
    }

    func run(
        _ name: String, _ model: Sequential, _ makeOptimizer: ([Tensor]) -> Optimizer, clip: Float? = nil,
        scheduler: ((Optimizer) -> StepLR)? = nil, loss: (Sequential) -> Tensor
    ) {
        guard let reference = PyTorchReference.runs.first(where: { $0.name == name }) else {
            return XCTFail("no recorded run \(name)")
        }
        let optimizer = makeOptimizer(model.parameters)
        let schedule = scheduler?(optimizer)
        var losses: [Float] = []
        for _ in reference.losses {
            optimizer.zeroGrad()
            let value = loss(model)
            value.backward()
            if let clip { clipGradNorm(model.parameters, maxNorm: clip) }
            optimizer.step()
            schedule?.step()
            losses.append(value.item())
        }
        assertClose(losses, reference.losses, atol: 1e-5, rtol: 1e-4, "\(name) losses")
        let state = model.stateDict()
        XCTAssertEqual(Set(state.keys), Set(reference.finalState.keys), name)
        for (key, values) in reference.finalState {
            assertClose(state[key]?.scalars ?? [], values, atol: 1e-5, rtol: 1e-4, "\(name) final \(key)")
        }
    }

    let inputs = Tensor(PyTorchReference.mlpInputs)
    let labels = Tensor(labels: PyTorchReference.mlpLabels)

    func crossEntropyLoss(_ model: Sequential) -> Tensor { crossEntropy(model(inputs), labels) }

    func testSGD() throws {
        run("sgd", try mlp(), { SGD($0, lr: 0.1) }, loss: crossEntropyLoss)
    }

    func testSGDMomentum() throws {
        run("sgd_momentum", try mlp(), { SGD($0, lr: 0.1, momentum: 0.9) }, loss: crossEntropyLoss)
    }

    func testSGDNesterov() throws {
        run("sgd_nesterov", try mlp(), { SGD($0, lr: 0.1, momentum: 0.9, nesterov: true) }, loss: crossEntropyLoss)
    }

    func testSGDMomentumWeightDecay() throws {
        run("sgd_momentum_weight_decay", try mlp(), { SGD($0, lr: 0.1, momentum: 0.9, weightDecay: 0.01) }, loss: crossEntropyLoss)
    }

    func testAdam() throws {
        run("adam", try mlp(), { Adam($0, lr: 0.01) }, loss: crossEntropyLoss)
    }

    func testAdamWithAllOptions() throws {
        run(
            "adam_weight_decay", try mlp(), { Adam($0, lr: 0.01, betas: (0.8, 0.99), eps: 1e-6, weightDecay: 0.05) },
            loss: crossEntropyLoss)
    }

    func testClipGradNormAndStepLR() throws {
        run(
            "sgd_clip_steplr", try mlp(), { SGD($0, lr: 0.5, momentum: 0.9) }, clip: 0.5,
            scheduler: { StepLR($0, stepSize: 2, gamma: 0.5) }, loss: crossEntropyLoss)
    }

    func testMSEWithTanhAndSigmoid() throws {
        let targets = Tensor(PyTorchReference.mlpTargets)
        run("mse_tanh_sigmoid_sgd_momentum", try mlp(tanhSigmoid: true), { SGD($0, lr: 0.5, momentum: 0.9) }) {
            mseLoss($0(self.inputs), targets)
        }
    }

    func testConvNet() throws {
        let images = Tensor(PyTorchReference.cnnInputs)
        let classes = Tensor(labels: PyTorchReference.cnnLabels)
        run("cnn_sgd_momentum", try cnn(), { SGD($0, lr: 0.1, momentum: 0.9) }) { crossEntropy($0(images), classes) }
    }

    func testParametersWithoutGradAreSkipped() {
        let used = Tensor(shape: [1], scalars: [1], requiresGrad: true)
        let unused = Tensor(shape: [1], scalars: [1], requiresGrad: true)
        let optimizer = Adam([used, unused], lr: 0.1)
        (used * 2).sum().backward()
        optimizer.step()
        XCTAssertEqual(unused.scalars, [1])
        assertClose(used.scalars, [0.9])  // Adam's first step moves by lr.
        optimizer.zeroGrad()
        XCTAssertNil(used.grad)
    }

    func testStepWithAGradientOfAnotherShapeIsAnErrorAndUpdatesNothing() {
        for makeOptimizer in [{ SGD($0, lr: 0.1) as Optimizer }, { Adam($0) as Optimizer }] {
            let a = Tensor(shape: [2], scalars: [1, 2], requiresGrad: true)
            let b = Tensor(shape: [2], scalars: [3, 4], requiresGrad: true)
            a.grad = Tensor(shape: [2], scalars: [1, 1])
            b.grad = Tensor(shape: [2], scalars: [1, 1])
            b.array = NDArray(shape: [3], scalars: [3, 4, 5])  // the values change shape after backward
            let optimizer = makeOptimizer([a, b])
            let error = checkedError { optimizer.step() }
            guard case .shapeMismatch(let op, _, let reason, _)? = error else {
                return XCTFail("\(String(describing: error))")
            }
            XCTAssertTrue(op.hasSuffix(".step"), op)
            XCTAssertTrue(reason.contains("parameter 1 has shape [3]"), reason)
            XCTAssertEqual(a.scalars, [1, 2])
            XCTAssertEqual(b.scalars, [3, 4, 5])
        }
    }

    /// Regression: a step after a parameter's array was replaced by a larger one read and wrote
    /// past the momentum / Adam buffers. Now, as PyTorch, it is a size-mismatch error, and nothing
    /// is updated.
    func testStepAfterAParameterWasReplacedByALargerOneIsASizeMismatch() {
        let makers: [(String, ([Tensor]) -> Optimizer)] = [
            ("momentum_buffer", { SGD($0, lr: 0.1, momentum: 0.9) }),
            ("exp_avg", { Adam($0) }),
            ("exp_avg", { AdamW($0) }),
            ("square_avg", { RMSprop($0) }),
        ]
        for (buffer, make) in makers {
            let p = Tensor(shape: [2], scalars: [1, 2], requiresGrad: true)
            let optimizer = make([p])
            p.grad = Tensor(shape: [2], scalars: [1, 1])
            optimizer.step()  // makes the buffers, of shape [2]
            p.array = NDArray(shape: [1000], scalars: [Float](repeating: 1, count: 1000))
            p.grad = Tensor(shape: [1000], scalars: [Float](repeating: 1, count: 1000))
            let error = checkedError { optimizer.step() }
            guard case .shapeMismatch(let op, _, let reason, _)? = error else {
                XCTFail("\(type(of: optimizer)): \(String(describing: error))")
                continue
            }
            XCTAssertTrue(op.hasSuffix(".step"), op)
            XCTAssertTrue(reason.contains("its \(buffer) from earlier steps has shape [2]"), reason)
            XCTAssertEqual(p.scalars, [Float](repeating: 1, count: 1000), "\(type(of: optimizer)) updated the parameter")
        }
    }

    func testClipGradNormClosedForm() {
        let a = Tensor(shape: [2], scalars: [0, 0], requiresGrad: true)
        a.grad = Tensor(shape: [2], scalars: [3, 4])
        XCTAssertEqual(clipGradNorm([a], maxNorm: 1), 5)
        assertClose(a.grad!.scalars, [0.6, 0.8])
        XCTAssertEqual(clipGradNorm([a], maxNorm: 10), 1, accuracy: 1e-5)
        assertClose(a.grad!.scalars, [0.6, 0.8])
    }

    func testStepLRSchedule() {
        let optimizer = SGD([Tensor(shape: [1], scalars: [0], requiresGrad: true)], lr: 1)
        let scheduler = StepLR(optimizer, stepSize: 3, gamma: 0.1)
        var rates: [Float] = []
        for _ in 0..<7 {
            rates.append(scheduler.lastLR)
            scheduler.step()
        }
        assertClose(rates, [1, 1, 1, 0.1, 0.1, 0.1, 0.01])
    }
}
