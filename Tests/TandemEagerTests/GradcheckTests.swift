import XCTest

@testable import TandemEager

/// gradcheck passes correct gradients (built-in ops, a correct custom Function) and flags a
/// deliberately wrong backward, naming the worst Jacobian entry.
final class GradcheckTests: XCTestCase {
    /// exp with a correct backward.
    private enum GoodExp: Function {
        static func forward(_ context: FunctionContext, _ inputs: [Tensor]) -> Tensor {
            let result = inputs[0].exp()
            context.saveForBackward(result)
            return result
        }
        static func backward(_ context: FunctionContext, _ gradOutput: Tensor) -> [Tensor?] {
            [gradOutput * context.savedTensors[0]]
        }
    }

    /// x * y whose backward forgets the factor y for x: d/dx is wrong, d/dy is right.
    private enum WrongProduct: Function {
        static func forward(_ context: FunctionContext, _ inputs: [Tensor]) -> Tensor {
            context.saveForBackward(inputs[0], inputs[1])
            return inputs[0] * inputs[1]
        }
        static func backward(_ context: FunctionContext, _ gradOutput: Tensor) -> [Tensor?] {
            [gradOutput, gradOutput * context.savedTensors[0]]
        }
    }

    func testPassesBuiltInOpsAndACorrectFunction() throws {
        let x = Tensor(shape: [2, 3], scalars: [0.1, -0.4, 0.7, 0.3, -0.9, 0.5], requiresGrad: true)
        let w = Tensor(shape: [3, 2], scalars: [0.2, -0.3, 0.5, 0.8, -0.6, 0.1], requiresGrad: true)
        let report = try gradcheck({ $0[0].matmul($0[1]).tanh() }, inputs: [x, w])
        XCTAssertTrue(report.passed, "\(report)")
        XCTAssertEqual(report.checkedCount, (6 + 6) * 4)
        XCTAssertEqual(report.failedCount, 0)
        XCTAssertNil(x.grad, "the caller's tensors keep no gradient")

        let custom = try gradcheck({ GoodExp.apply($0[0]) }, inputs: [x])
        XCTAssertTrue(custom.passed, "\(custom)")
        XCTAssertTrue(custom.description.hasPrefix("gradcheck passed"), custom.description)
    }

    func testFlagsAWrongCustomBackwardAndNamesTheWorstElement() throws {
        let x = Tensor(shape: [3], scalars: [0.5, -1, 2], requiresGrad: true)
        let y = Tensor(shape: [3], scalars: [3, 0.25, -2], requiresGrad: true)
        let report = try gradcheck({ WrongProduct.apply($0[0], $0[1]) }, inputs: [x, y])
        XCTAssertFalse(report.passed)
        // d(x*y)_j/dx_k = y_k on the diagonal; the backward says 1. Entries 0 and 2 are wrong
        // (y = 3 and -2); entry 1 (y = 0.25 vs 1) too; the largest error is y = -2 vs 1.
        XCTAssertEqual(report.failedCount, 3)
        let worst = try XCTUnwrap(report.worst)
        XCTAssertEqual(worst.inputIndex, 0)
        XCTAssertEqual(worst.elementIndex, 2)
        XCTAssertEqual(worst.outputIndex, 2)
        XCTAssertEqual(worst.analytic, 1, accuracy: 1e-6)
        XCTAssertEqual(worst.numeric, -2, accuracy: 1e-2)
        XCTAssertTrue(report.description.contains("FAILED"), report.description)
    }

    func testOnlyInputsThatRequireGradAreChecked() throws {
        let x = Tensor(shape: [3], scalars: [0.5, -1, 2], requiresGrad: false)
        let y = Tensor(shape: [3], scalars: [3, 0.25, -2], requiresGrad: true)
        // The wrong half of WrongProduct's backward is for x, which is not checked.
        let report = try gradcheck({ WrongProduct.apply($0[0], $0[1]) }, inputs: [x, y])
        XCTAssertTrue(report.passed, "\(report)")
        XCTAssertEqual(report.checkedCount, 9)
    }

    func testBadArgumentsThrow() {
        let constant = Tensor(shape: [2], scalars: [1, 2])
        XCTAssertThrowsError(try gradcheck({ $0[0].exp() }, inputs: [constant])) { error in
            XCTAssertTrue("\(error)".contains("gradcheck") && "\(error)".contains("requires a gradient"), "\(error)")
        }
        let x = Tensor(shape: [2], scalars: [1, 2], requiresGrad: true)
        XCTAssertThrowsError(try gradcheck({ $0[0].exp() }, inputs: [x], eps: 0))
        XCTAssertThrowsError(try gradcheck({ $0[0].matmul($0[0].reshape([1, 2])) }, inputs: [x])) { error in
            XCTAssertTrue("\(error)".contains("matmul"), "\(error)")
        }
    }
}
