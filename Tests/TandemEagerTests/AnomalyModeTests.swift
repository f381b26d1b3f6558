import XCTest

@testable import TandemEager

final class AnomalyModeTests: XCTestCase {
    func testForwardNaNIsReportedAtTheOpAndLine() {
        let x = Tensor(shape: [2], scalars: [1, -1], requiresGrad: true)
        var line = 0
        var error: Error?
        do {
            try detectAnomalyChecked {
                line = #line + 1
                let y = x.log()
                y.sum().backward()
            }
        } catch let caught { error = caught }
        guard case let .nonFinite(op, phase, shapes, location)? = error as? TandemError else {
            return XCTFail("\(String(describing: error))")
        }
        XCTAssertEqual(op, "log")
        XCTAssertEqual(phase, "forward")
        XCTAssertEqual(shapes, [[2]])
        XCTAssertEqual(location?.line, line)
        XCTAssertNil(x.grad, "backward was skipped after the anomaly")
        XCTAssertFalse(AnomalyMode.isEnabled)
    }

    func testBackwardInfIsReportedAtTheForwardOp() {
        // sqrt(0) is fine forward, but its gradient 0.5 / sqrt(0) is infinite.
        let x = Tensor(shape: [2], scalars: [0, 4], requiresGrad: true)
        var line = 0
        let error = checkedError {
            detectAnomaly {
                line = #line + 1
                let y = x.sqrt()
                y.sum().backward()
            }
        }
        guard case let .nonFinite(op, phase, _, location)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(op, "sqrt")
        XCTAssertEqual(phase, "backward")
        XCTAssertEqual(location?.line, line)
    }

    func testWithoutAnomalyModeNaNPropagatesQuietly() {
        let x = Tensor(shape: [1], scalars: [-1])
        XCTAssertTrue(x.log().item().isNaN)
    }
}
