import XCTest
@testable import TandemTrace

/// Branches on a value read into Swift: the trace records only the branch that ran.
final class SignGate: Module {
    var itemLine = 0
    func forward(_ x: Tensor) -> Tensor {
        itemLine = #line; let total = x.sum().item()
        if total > 0 { return x * 2 }
        return -x
    }
    var namedParameters: [(String, Tensor)] { [] }
    var children: [(String, Module)] { [] }
}

/// Doubles its input, with a hand-written backward.
final class Doubler: Function {
    static func forward(_ context: FunctionContext, _ inputs: [Tensor]) -> Tensor { inputs[0] * 2 }
    static func backward(_ context: FunctionContext, _ grad: Tensor) -> [Tensor?] { [grad * 2] }
}

final class TracerTests: XCTestCase {
    func testItemWarnsWithTheUsersLineAndFreezesTheBranch() throws {
        let model = SignGate()
        let positive = Tensor(shape: [1, 3], scalars: [1, 2, 3])
        let traced = try trace(model, example: positive)
        XCTAssertEqual(traced.warnings.count, 1)
        let warning = traced.warnings[0]
        XCTAssertEqual(warning.kind, .valueRead(accessor: "item()"))
        XCTAssertEqual(warning.location, SourceLocation(file: "TandemTraceTests/TracerTests.swift", line: model.itemLine))
        XCTAssertTrue(warning.description.hasPrefix("TracerWarning: TandemTraceTests/TracerTests.swift:\(model.itemLine): item()"))
        // The graph took the `total > 0` branch for good; eager takes the other one for a negative input.
        let negative = Tensor(shape: [1, 3], scalars: [-1, -2, -3])
        XCTAssertEqual(try traced(negative).scalars, [-2, -4, -6])
        XCTAssertEqual(model(negative).scalars, [1, 2, 3])
    }

    func testScalarsWarnsAtTheLineThatMadeTheTensor() throws {
        final class Reader: Module {
            var madeAt = 0
            func forward(_ x: Tensor) -> Tensor {
                madeAt = #line; let h = x.relu()
                let largest = h.scalars.max() ?? 0
                return h * largest
            }
            var namedParameters: [(String, Tensor)] { [] }
            var children: [(String, Module)] { [] }
        }
        let model = Reader()
        let traced = try trace(model, example: Tensor(shape: [2], scalars: [1, 4]))
        XCTAssertEqual(traced.warnings.map(\.kind), [.valueRead(accessor: "scalars")])
        XCTAssertEqual(traced.warnings.first?.location?.line, model.madeAt)
        // The 4 was frozen: the graph scales by 4 whatever comes in.
        XCTAssertEqual(try traced(Tensor(shape: [2], scalars: [1, 10])).scalars, [4, 40])
    }

    func testReadingAValueFromOutsideTheTraceDoesNotWarn() throws {
        final class Fixed: Module {
            let scale = Tensor(shape: [1], scalars: [3])
            func forward(_ x: Tensor) -> Tensor { x * scale.item() }
            var namedParameters: [(String, Tensor)] { [] }
            var children: [(String, Module)] { [] }
        }
        // `scale` is a buffer, bound to a variable: reading it is a read of traced state.
        let traced = try trace(Fixed(), example: Tensor(shape: [2], scalars: [1, 2]))
        XCTAssertEqual(traced.warnings.count, 1)
        final class Local: Module {
            func forward(_ x: Tensor) -> Tensor { x * Tensor(shape: [1], scalars: [3]).item() }
            var namedParameters: [(String, Tensor)] { [] }
            var children: [(String, Module)] { [] }
        }
        XCTAssertTrue(try trace(Local(), example: Tensor(shape: [2], scalars: [1, 2])).warnings.isEmpty)
    }

    func testCustomFunctionIsRecordedThroughItsForward() throws {
        final class UsesDouble: Module {
            let w = Tensor(shape: [2], scalars: [1, -1], requiresGrad: true)
            func forward(_ x: Tensor) -> Tensor { Doubler.apply(x * w) + 1 }
        }
        let model = UsesDouble()
        let traced = try trace(model, example: Tensor(shape: [2], scalars: [0, 0]))
        XCTAssertEqual(traced.warnings.map(\.kind), [.customFunction(name: "Doubler")])
        XCTAssertEqual(try traced(Tensor(shape: [2], scalars: [3, 4])).scalars, [7, -7])
        XCTAssertNil(OpRecording.recorder, "the recorder is removed after tracing")
    }
}
