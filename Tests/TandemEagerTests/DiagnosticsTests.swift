import XCTest

@testable import TandemEager

final class DiagnosticsTests: XCTestCase {
    var printed: [String] = []
    var originalSink: ((String) -> Void)?

    override func setUp() {
        originalSink = Diagnostics.sink
        Diagnostics.reset()
        Diagnostics.sink = { [unowned self] in self.printed.append($0) }
    }

    override func tearDown() {
        Diagnostics.reset()
        Diagnostics.sink = originalSink!
    }

    func testWarnsOnceWhenZeroGradIsForgotten() {
        let w = Tensor(shape: [1], scalars: [1], requiresGrad: true)
        let optimizer = SGD([w], lr: 0.1)
        for _ in 0..<3 {
            (w * 2).sum().backward()
            optimizer.step()
        }
        XCTAssertEqual(Diagnostics.warnings.count, 1)
        XCTAssertTrue(Diagnostics.warnings[0].contains("zeroGrad()"), Diagnostics.warnings[0])
        XCTAssertEqual(printed, Diagnostics.warnings)
    }

    func testWarnsWhenAParameterGetsNoGradient() {
        let used = Tensor(shape: [2], scalars: [1, 2], requiresGrad: true)
        let unused = Tensor(shape: [3], scalars: [0, 0, 0], requiresGrad: true)
        let optimizer = SGD([used, unused], lr: 0.1)
        optimizer.zeroGrad()
        (used * used).sum().backward()
        optimizer.step()
        XCTAssertEqual(Diagnostics.warnings.count, 1)
        XCTAssertTrue(Diagnostics.warnings[0].contains("parameter 1 (shape [3]) received no gradient"), Diagnostics.warnings[0])
        XCTAssertEqual(unused.scalars, [0, 0, 0], "skipped, as torch.optim does")
    }

    func testNoUnusedParameterWarningBeforeAnyBackward() {
        let w = Tensor(shape: [1], scalars: [1], requiresGrad: true)
        SGD([w], lr: 0.1).step()
        XCTAssertEqual(Diagnostics.warnings, [])
    }

    func testNoWarningWhenAccumulatingOnPurposeOrZeroing() {
        let w = Tensor(shape: [1], scalars: [1], requiresGrad: true)
        let accumulating = SGD([w], lr: 0.1, accumulating: true)
        (w * 2).sum().backward()
        (w * 2).sum().backward()
        accumulating.step()
        let optimizer = SGD([w], lr: 0.1)
        for _ in 0..<3 {
            optimizer.zeroGrad()
            (w * w + w).sum().backward()  // w used twice in one backward is one pass
            optimizer.step()
        }
        XCTAssertEqual(Diagnostics.warnings, [])
    }

    func testWarnsWhenTheTapeGrowsAcrossSteps() {
        let w = Tensor(shape: [1], scalars: [1], requiresGrad: true)
        let optimizer = SGD([w], lr: 0.01)
        var total = Tensor(0)
        for _ in 0..<8 {
            optimizer.zeroGrad()
            let loss = (w * w).sum()
            loss.backward(retainGraph: true)
            total = total + loss  // keeps every step's graph alive
            optimizer.step()
        }
        XCTAssertEqual(Diagnostics.warnings.count, 1)
        XCTAssertTrue(Diagnostics.warnings[0].contains("tape"), Diagnostics.warnings.first ?? "")
        _ = total
    }
}
