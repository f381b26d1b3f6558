import XCTest

@testable import TandemEager
import TandemTestSupport

/// StepLR, ExponentialLR and CosineAnnealingLR against torch's recorded learning rates (the
/// chainable forms, through a full cosine period and back up), their state dicts against torch's,
/// and resuming a schedule from its state dict.
final class LRSchedulerTests: XCTestCase {
    static let schedulers: [String: (Optimizer) -> LRScheduler] = [
        "step_lr": { StepLR($0, stepSize: 3, gamma: 0.5) },
        "exponential_lr": { ExponentialLR($0, gamma: 0.9) },
        "cosine_annealing_lr": { CosineAnnealingLR($0, tMax: 10, etaMin: 0.001) },
        "cosine_annealing_lr_short": { CosineAnnealingLR($0, tMax: 3) },
    ]

    private func optimizer() -> SGD { SGD([Tensor(shape: [1], scalars: [0], requiresGrad: true)], lr: 0.1) }

    func testLearningRatesMatchTorch() {
        XCTAssertEqual(Set(PyTorchOptimizerReference.schedules.map(\.name)), Set(Self.schedulers.keys))
        for schedule in PyTorchOptimizerReference.schedules {
            let scheduler = Self.schedulers[schedule.name]!(optimizer())
            var rates = [scheduler.lastLR]
            for _ in 1..<schedule.learningRates.count {
                scheduler.step()
                rates.append(scheduler.lastLR)
                XCTAssertEqual(scheduler.lastLR, scheduler.optimizer.lr)
            }
            assertClose(rates, schedule.learningRates, atol: 1e-8, rtol: 2e-6, schedule.name)
            assertStateMatches(scheduler.stateDict(), schedule.finalState, schedule.name)
            XCTAssertEqual(scheduler.epoch, schedule.learningRates.count - 1)
        }
    }

    func testCosineClosedFormWithinAHalfPeriod() {
        // lr(t) = etaMin + (base - etaMin)(1 + cos(π t / tMax)) / 2, independently of the chainable steps.
        let scheduler = CosineAnnealingLR(optimizer(), tMax: 8, etaMin: 0.01)
        for t in 1...8 {
            scheduler.step()
            let expected = 0.01 + (0.1 - 0.01) * (1 + Foundation.cos(Double.pi * Double(t) / 8)) / 2
            XCTAssertEqual(Double(scheduler.lastLR), expected, accuracy: 1e-7, "t = \(t)")
        }
    }

    func testAResumedScheduleContinuesExactly() throws {
        for (name, make) in Self.schedulers {
            let first = make(optimizer())
            for _ in 0..<13 { first.step() }
            let resumedOptimizer = optimizer()
            let resumed = make(resumedOptimizer)
            try resumedOptimizer.loadStateDict(first.optimizer.stateDict())
            try resumed.loadStateDict(first.stateDict())
            XCTAssertEqual(resumed.epoch, 13, name)
            for _ in 0..<10 {
                first.step()
                resumed.step()
                XCTAssertEqual(resumed.lastLR, first.lastLR, name)
            }
        }
    }

    func testLoadingRejectsAnotherSchedulersState() {
        let cosine = CosineAnnealingLR(optimizer(), tMax: 5)
        let step = StepLR(optimizer(), stepSize: 2)
        XCTAssertThrowsError(try cosine.loadStateDict(step.stateDict())) { error in
            XCTAssertTrue("\(error)".contains("missing key(s) \"T_max\", \"eta_min\""), "\(error)")
        }
        var state = cosine.stateDict()
        state["T_max"] = NDArray(0)
        XCTAssertThrowsError(try cosine.loadStateDict(state)) { error in
            XCTAssertTrue("\(error)".contains("\"T_max\" must be a whole number >= 1"), "\(error)")
        }
        state = cosine.stateDict()
        state["last_epoch"] = NDArray(-2)
        XCTAssertThrowsError(try cosine.loadStateDict(state))
        XCTAssertEqual(cosine.tMax, 5)
        XCTAssertEqual(cosine.epoch, 0)
    }

    func testInvalidArgumentsAreErrors() {
        let error = checkedError { _ = CosineAnnealingLR(self.optimizer(), tMax: 0) }
        guard case .invalidValue(let op, let reason, _)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(op, "CosineAnnealingLR")
        XCTAssertTrue(reason.contains("tMax must be positive"))
        XCTAssertNotNil(checkedError { _ = StepLR(self.optimizer(), stepSize: -1) })
        XCTAssertNotNil(checkedError { _ = ExponentialLR(self.optimizer(), gamma: .nan) })
    }
}
