import Foundation
import XCTest

@testable import TandemKernels

/// Sizes computed from input: negative and huge shapes are errors naming the op and the caller's
/// line (thrown inside `checked`), never an overflow trap or an allocation without bound.
final class ElementCountTests: XCTestCase {
    func testElementCountIsTheProductOrNil() {
        XCTAssertEqual(elementCount(of: []), 1)
        XCTAssertEqual(elementCount(of: [2, 3, 4]), 24)
        XCTAssertEqual(elementCount(of: [0, 5]), 0)
        XCTAssertNil(elementCount(of: [-1, 2]))
        XCTAssertNil(elementCount(of: [Int.max, 2]))
        XCTAssertNil(elementCount(of: [1 << 32, 1 << 32]))
        // A zero does not hide an overflowing product of the other dimensions.
        XCTAssertNil(elementCount(of: [0, Int.max, Int.max]))
        XCTAssertEqual(elementCount(of: [maximumElementCount]), maximumElementCount)
        XCTAssertNil(elementCount(of: [maximumElementCount, 2]))
    }

    private func checkedError(_ body: () -> Void) -> TandemError? {
        do {
            try checked { body() }
            return nil
        } catch {
            return error as? TandemError
        }
    }

    func testConstructorsWithNegativeOrHugeShapesThrowInsideChecked() {
        let cases: [(String, () -> Void)] = [
            ("NDArray(repeating:shape:)", { _ = NDArray(zeros: [-3, 2]) }),
            ("NDArray(repeating:shape:)", { _ = NDArray(ones: [Int.max, 2]) }),
            ("NDArray(repeating:shape:)", { _ = NDArray(zeros: [1 << 40]) }),  // 4 TiB: more than any machine here
            ("NDArray(uninitializedShape:)", { _ = NDArray(uninitializedShape: [1 << 62, 4]) }),
            ("NDArray(shape:scalars:)", { _ = NDArray(shape: [-1], scalars: []) }),
            ("NDArray(shape:scalars:)", { _ = NDArray(shape: [2, 2], scalars: [1, 2, 3]) }),
            ("Initializer.normal", { _ = Initializer.normal([1 << 31, 1 << 31, 4]) }),
            ("Initializer.kaimingUniform", { _ = Initializer.kaimingUniform([-2, 3]) }),
        ]
        for (op, body) in cases {
            let line = #line - 1
            guard case .invalidValue(let name, let reason, let location)? = checkedError(body) else {
                XCTFail("\(op): no invalidValue error")
                continue
            }
            XCTAssertEqual(name, op)
            XCTAssertFalse(reason.isEmpty)
            XCTAssertNotNil(location, "\(op) (case near line \(line))")
        }
    }

    func testTheCallersLineIsNamed() {
        let line = #line + 1
        let error = checkedError { _ = NDArray(zeros: [-1]) }
        XCTAssertEqual(error?.location?.line, line)
        XCTAssertEqual(error?.location?.file, #fileID)
    }

    func testShapeRulesRejectHugeSizesWithoutTrapping() {
        let cases: [(Op, [[Int]])] = [
            (.reshape([Int.max, 2]), [[4]]),
            (.reshape([1 << 40, 1 << 40]), [[4]]),
            (.reshape([-1, Int.max]), [[4]]),
            (.conv2d(stride: 1, padding: Int.max), [[1, 1, 4, 4], [1, 1, 3, 3]]),
            (.conv2d(stride: 1, padding: 0), [[1, 1, 2, 2], [1, 1, 3, 3]]),  // kernel larger than the input
            (.conv2d(stride: Int.max, padding: 1), [[1, 1, 4, 4], [1, 1, Int.max, 3]]),
            (.add, [[Int.max, Int.max], [1]]),
            (.flatten(startDim: 0), [[0, Int.max, Int.max]]),
            (.cat(dim: 0, count: 3), [[maximumElementCount / 2], [maximumElementCount / 2], [maximumElementCount / 2]]),
            (.cat(dim: 0, count: 2), [[Int.max - 1], [Int.max - 1]]),
            (.avgPool2d(kernelSize: 3, stride: 1, padding: 1), [[1, 1, Int.max, 1]]),
            (.matmul, [[-5, 2], [2, 3]]),
        ]
        for (op, shapes) in cases {
            XCTAssertThrowsError(try op.outputShape(shapes), "\(op.name) \(shapes)")
        }
        // The guard does not reject ordinary shapes, with unknown dimensions too.
        XCTAssertEqual(try Op.reshape([-1, 2]).outputShape([[unknownDim, 4]]), [-1, 2])
        XCTAssertEqual(try Op.conv2d(stride: 1, padding: 1).outputShape([[unknownDim, 1, 4, 4], [2, 1, 3, 3]]), [unknownDim, 2, 4, 4])
    }
}
