import XCTest

@testable import TandemEager
import TandemTestSupport

/// Optimizer state dicts: a restored optimizer continues with bit-identical numbers, loading
/// validates everything before changing anything, and a step never runs past a buffer whose
/// parameter changed shape (issue 13). The keys and values are checked against torch's own
/// state_dict in `OptimizerReferenceTests`.
final class OptimizerStateDictTests: XCTestCase {
    private typealias Reference = OptimizerReferenceTests

    /// Every recorded configuration: 3 steps, then the state moves into a fresh optimizer of
    /// default hyperparameters over copies of the parameters, and both continue 3 more steps.
    func testRestoredOptimizersContinueBitForBit() throws {
        for (name, make) in Reference.optimizers.sorted(by: { $0.key < $1.key }) {
            let original = Reference.parameters()
            let optimizer = make(original)
            for step in 0..<3 {
                Reference.setGradients(original, step: step)
                optimizer.step()
            }
            let copies = original.map { Tensor($0.array, requiresGrad: true) }
            let restored: Optimizer
            switch optimizer {
            case is SGD: restored = SGD(copies, lr: 1)
            case is Adam: restored = Adam(copies)
            case is AdamW: restored = AdamW(copies)
            default: restored = RMSprop(copies)
            }
            try restored.loadStateDict(optimizer.stateDict())
            XCTAssertEqual(restored.stateDict(), optimizer.stateDict(), name)
            for step in 3..<6 {
                Reference.setGradients(original, step: step)
                Reference.setGradients(copies, step: step)
                optimizer.step()
                restored.step()
            }
            for (a, b) in zip(original, copies) { XCTAssertEqual(a.scalars, b.scalars, "\(name): not bit-identical") }
            XCTAssertEqual(restored.stateDict(), optimizer.stateDict(), name)
        }
    }

    func testAParameterWithoutGradientHasNoStateYet() {
        let parameters = Reference.parameters()
        let optimizer = Adam(parameters)
        Reference.setGradients(parameters, step: 0)  // parameter 1 has no gradient at step 0
        optimizer.step()
        let keys = optimizer.stateDict().keys.filter { $0.hasPrefix("state.") }.sorted()
        XCTAssertEqual(keys, ["state.0.exp_avg", "state.0.exp_avg_sq", "state.0.step"])
    }

    /// A stepped optimizer over the recorded parameters, and its state dict.
    private func stepped(_ make: ([Tensor]) -> Optimizer) -> (Optimizer, [String: NDArray]) {
        let parameters = Reference.parameters()
        let optimizer = make(parameters)
        for step in 0..<2 {
            Reference.setGradients(parameters, step: step)
            optimizer.step()
        }
        return (optimizer, optimizer.stateDict())
    }

    private func loadError(_ optimizer: Optimizer, _ dict: [String: NDArray], file: StaticString = #filePath, line: UInt = #line) -> String {
        let before = optimizer.stateDict()
        do {
            try optimizer.loadStateDict(dict)
            XCTFail("loading succeeded", file: file, line: line)
            return ""
        } catch {
            XCTAssertEqual(optimizer.stateDict(), before, "a failed load changed the optimizer", file: file, line: line)
            return "\(error)"
        }
    }

    func testLoadingRejectsWhatDoesNotFit() {
        let (adam, adamState) = stepped { Adam($0, lr: 0.01) }
        let (_, sgdState) = stepped { SGD($0, lr: 0.1, momentum: 0.9) }
        let (_, adamWState) = stepped { AdamW($0) }

        let other = Adam([Tensor(shape: [2], scalars: [0, 0], requiresGrad: true)])
        XCTAssertTrue(loadError(other, adamState).contains("is for 2 parameter(s)"))

        var wrongShape = adamState
        wrongShape["state.0.exp_avg"] = NDArray(zeros: [4, 3])
        let shapeMessage = loadError(adam, wrongShape)
        XCTAssertTrue(shapeMessage.contains("size mismatch for \"state.0.exp_avg\"") && shapeMessage.contains("[4, 3]"), shapeMessage)

        var partial = adamState
        partial["state.1.exp_avg_sq"] = nil
        XCTAssertTrue(loadError(adam, partial).contains("partial state"))

        var badStep = adamState
        badStep["state.0.step"] = NDArray(1.5)
        XCTAssertTrue(loadError(adam, badStep).contains("whole number of steps"))

        XCTAssertTrue(loadError(adam, sgdState).contains("missing hyperparameter \"param_groups.0."))
        XCTAssertTrue(loadError(adam, adamWState).contains("load it into AdamW"))

        var unexpected = adamState
        unexpected["state.0.momentum_buffer"] = NDArray(zeros: [3, 4])
        XCTAssertTrue(loadError(adam, unexpected).contains("unexpected key(s) \"state.0.momentum_buffer\""))

        var malformed = adamState
        malformed["exp_avg"] = NDArray(0)
        XCTAssertTrue(loadError(adam, malformed).contains("unexpected key \"exp_avg\""))

        var badBetas = adamState
        badBetas["param_groups.0.betas"] = NDArray(shape: [2], scalars: [0.9, 1.5])
        XCTAssertTrue(loadError(adam, badBetas).contains("two values in [0, 1)"))

        var negativeLR = sgdState
        negativeLR["param_groups.0.lr"] = NDArray(-1)
        XCTAssertTrue(loadError(SGD(Reference.parameters(), lr: 0.1), negativeLR).contains(">= 0"))

        XCTAssertTrue(loadError(adam, [:]).contains("param_groups.0.params"))
    }

    func testLoadingRestoresHyperparametersAndLearningRate() throws {
        let (source, state) = stepped { RMSprop($0, lr: 0.003, alpha: 0.9, eps: 1e-6, momentum: 0.5, centered: true, weightDecay: 0.2) }
        source.lr = 0.0015
        let target = RMSprop(Reference.parameters())
        try target.loadStateDict(source.stateDict())
        XCTAssertEqual(target.lr, 0.0015)
        XCTAssertEqual([target.alpha, target.eps, target.momentum, target.weightDecay], [0.9, 1e-6, 0.5, 0.2])
        XCTAssertTrue(target.centered)
        XCTAssertEqual(state["param_groups.0.centered"], NDArray(1))
    }

    /// Issue 13: replacing a parameter's array by a larger one after the optimizer has stepped
    /// used to read and write past the momentum and Adam buffers.
    func testAStepAfterAParameterChangedShapeIsAnErrorNotAnOverrun() {
        let makers: [(String, ([Tensor]) -> Optimizer)] = [
            ("momentum_buffer", { SGD($0, lr: 0.1, momentum: 0.9) }),
            ("exp_avg", { Adam($0) }),
            ("exp_avg", { AdamW($0) }),
            ("square_avg", { RMSprop($0) }),
        ]
        for (buffer, make) in makers {
            let a = Tensor(shape: [2], scalars: [1, 2], requiresGrad: true)
            let b = Tensor(shape: [2], scalars: [3, 4], requiresGrad: true)
            let optimizer = make([a, b])
            a.grad = Tensor(shape: [2], scalars: [1, 1])
            b.grad = Tensor(shape: [2], scalars: [1, 1])
            optimizer.step()
            let aAfterFirstStep = a.scalars
            b.array = NDArray(shape: [1000], scalars: Array(repeating: 1, count: 1000))
            b.grad = Tensor(shape: [1000], scalars: Array(repeating: 1, count: 1000))
            let error = checkedError { optimizer.step() }
            guard case .shapeMismatch(let op, _, let reason, _)? = error else {
                XCTFail("\(type(of: optimizer)): \(String(describing: error))")
                continue
            }
            XCTAssertTrue(op.hasSuffix(".step"), op)
            XCTAssertTrue(reason.contains("parameter 1 has shape [1000] but its \(buffer)"), reason)
            XCTAssertEqual(a.scalars, aAfterFirstStep, "no parameter is updated by a failed step")
            XCTAssertEqual(b.scalars, Array(repeating: 1, count: 1000))
        }
    }

    func testInvalidArgumentsNameTheUsersLine() {
        let p = [Tensor(shape: [1], scalars: [0], requiresGrad: true)]
        let cases: [(String, () -> Void)] = [
            ("invalid learning rate -1", { _ = SGD(p, lr: -1) }),
            ("Nesterov momentum requires", { _ = SGD(p, lr: 0.1, nesterov: true) }),
            ("invalid beta parameter at index 0: 1.0", { _ = AdamW(p, betas: (1, 0.999)) }),
            ("invalid weight_decay value -0.1", { _ = Adam(p, weightDecay: -0.1) }),
            ("invalid alpha value -0.5", { _ = RMSprop(p, alpha: -0.5) }),
            ("invalid momentum value -1", { _ = RMSprop(p, momentum: -1) }),
        ]
        for (expected, body) in cases {
            let error = checkedError(body)
            guard case .invalidValue(_, let reason, let location?)? = error else {
                XCTFail("\(expected): \(String(describing: error))")
                continue
            }
            XCTAssertTrue(reason.contains(expected), reason)
            XCTAssertTrue(location.file.hasSuffix("Optimizer+StateDictTests.swift"), "\(location)")
        }
    }
}
