import XCTest

@testable import TandemEager

/// Constructors and shape-changing ops given negative or huge sizes inside `checked`: each is a
/// thrown `TandemError` naming the op and the caller's line (before, an overflow trap or an
/// allocation that could never succeed).
final class TensorTests: XCTestCase {
    func testConstructorsWithNegativeOrHugeSizesThrow() {
        let cases: [(String, () -> Void)] = [
            ("Tensor(zeros: [-1])", { _ = Tensor(zeros: [-1]) }),
            ("Tensor(ones: [Int.max, 2])", { _ = Tensor(ones: [Int.max, 2]) }),
            ("Tensor(zeros: [1 << 40])", { _ = Tensor(zeros: [1 << 40]) }),
            ("Tensor(shape: [2, 2], scalars: 3 values)", { _ = Tensor(shape: [2, 2], scalars: [1, 2, 3]) }),
            ("Tensor(shape: [-2], scalars: [])", { _ = Tensor(shape: [-2], scalars: []) }),
            ("Linear(-1, 3)", { _ = Linear(-1, 3) }),
            ("Linear(1 << 40, 1 << 40)", { _ = Linear(1 << 40, 1 << 40) }),
            ("Conv2d(1, 2, kernelSize: -3)", { _ = Conv2d(1, 2, kernelSize: -3) }),
            ("Conv2d(1 << 31, 1 << 31, kernelSize: 1 << 31)", { _ = Conv2d(1 << 31, 1 << 31, kernelSize: 1 << 31) }),
        ]
        for (what, body) in cases {
            let error = checkedError(body)
            guard case .invalidValue(_, _, let location)? = error else {
                XCTFail("\(what): \(String(describing: error))")
                continue
            }
            XCTAssertEqual(location?.file, #fileID, what)  // the caller's file, not Tandem's
        }
    }

    func testReshapeAndConv2dWithHugeSizesThrow() {
        let x = Tensor(ones: [1, 1, 4, 4])
        let w = Tensor(ones: [1, 1, 3, 3])
        let cases: [(String, () -> Void)] = [
            ("reshape([Int.max, 2])", { _ = x.reshape([Int.max, 2]) }),
            ("reshape([1 << 40, 1 << 40, 16])", { _ = x.reshape([1 << 40, 1 << 40, 16]) }),
            ("reshape([-3, 16])", { _ = x.reshape([-3, 16]) }),
            ("conv2d padding Int.max", { _ = conv2d(x, weight: w, padding: Int.max) }),
            ("conv2d padding -1", { _ = conv2d(x, weight: w, padding: -1) }),
            ("conv2d stride 0", { _ = conv2d(x, weight: w, stride: 0) }),
            ("conv2d kernel larger than the input", { _ = conv2d(x, weight: Tensor(ones: [1, 1, 5, 5])) }),
            ("narrow start Int.max", { _ = x.narrow(dim: 2, start: Int.max, length: 1) }),
            ("narrow length Int.max", { _ = x.narrow(dim: 2, start: 1, length: Int.max) }),
        ]
        for (what, body) in cases {
            let line = #line - 2
            guard case .shapeMismatch(_, _, _, let location)? = checkedError(body) else {
                XCTFail("\(what): no shape error")
                continue
            }
            XCTAssertNotNil(location?.line, "\(what) (line \(line))")
        }
    }
}
