import TandemKernels
import XCTest

/// The facts of `Op+Facts.swift`, each checked against what the op's rules and kernels really
/// do, for one op of every case (`OpSamples`), so a fact cannot drift from the code it describes.
final class OpFactsTests: XCTestCase {
    func testTheSamplesCoverEveryCase() {
        XCTAssertEqual(Set(OpSamples.every.map(\.kind)), Set(Op.Kind.allCases))
    }

    func testArityShapeRuleAndForwardAgree() throws {
        for op in OpSamples.every {
            let inputs = OpSamples.inputs(for: op)
            XCTAssertEqual(op.arity, inputs.count, "\(op)")
            let shape = try op.outputShape(inputs.map(\.shape))
            let value = try op.evaluate(inputs)
            XCTAssertEqual(value.shape, shape, "\(op)")
            XCTAssertThrowsError(try op.outputShape(Array(repeating: [2, 2], count: op.arity + 1)), "\(op)")
        }
    }

    /// Every gradient rule runs on `Traced` values that log which of the op's inputs and output
    /// it passes to which op, and whether that op reads only the shape there; the log must be
    /// exactly `gradientReads(input:)` and `gradientReadsOutput` (what backward must save).
    func testGradientReadsAreExactlyWhatTheRulesTouch() throws {
        for op in OpSamples.every {
            let inputs = OpSamples.inputs(for: op)
            let output = try op.evaluate(inputs)
            let log = ReadLog(inputs: inputs.count)
            Traced.log = log
            defer { Traced.log = nil }
            let grads = op.gradient(
                inputs: inputs.enumerated().map { Traced(array: $1, origin: .input($0)) },
                output: Traced(array: output, origin: .output),
                grad: Traced(array: randomArray(output.shape, seed: 99), origin: .other))
            XCTAssertEqual(grads.count, inputs.count, "\(op)")
            for i in inputs.indices {
                XCTAssertEqual(log.inputs[i], op.gradientReads(input: i), "\(op): input \(i)")
            }
            XCTAssertEqual(log.output == .value, op.gradientReadsOutput, "\(op): output")
            XCTAssertNotEqual(log.output, .shape, "\(op): reads only the output's shape, which the fact cannot say")
        }
    }

    func testReluSavesItsOutputNotItsInputAsPyTorch() {
        XCTAssertTrue(Op.relu.gradientReadsOutput)
        XCTAssertEqual(Op.relu.gradientReads(input: 0), .unused)
        XCTAssertEqual(Op.div.gradientReads(input: 0), .value)
        XCTAssertFalse(Op.div.gradientReadsOutput)
    }

    /// A shape-only input may hold any values: replacing them with NaN changes nothing.
    func testShapeOnlyInputsAreNeverRead() throws {
        for op in OpSamples.every where !op.shapeOnlyInputs.isEmpty {
            let inputs = OpSamples.inputs(for: op)
            manualSeed(5)
            let expected = try op.evaluate(inputs)
            var poisoned = inputs
            for i in op.shapeOnlyInputs { poisoned[i] = NDArray(repeating: .nan, shape: inputs[i].shape) }
            manualSeed(5)
            XCTAssertEqual(try op.evaluate(poisoned).scalars, expected.scalars, "\(op)")
        }
    }

    /// An elementwise op's output element k changes only when its inputs' element k does.
    func testElementwiseOpsAreElementwise() throws {
        for op in OpSamples.every where op.isElementwise {
            let inputs = OpSamples.inputs(for: op).map { randomArray($0.shape.isEmpty ? [] : [2, 3], in: 0.5...1.5, seed: 3) }
            let base = try op.evaluate(inputs)
            for k in 0..<base.count {
                var moved = inputs[0].scalars
                moved[k] += 0.25
                let changed = try op.evaluate([NDArray(shape: inputs[0].shape, scalars: moved)] + inputs.dropFirst())
                for j in 0..<base.count where j != k {
                    XCTAssertEqual(changed.scalars[j], base.scalars[j], "\(op): element \(j) moved with \(k)")
                }
            }
        }
        XCTAssertFalse(Op.softmax(dim: 1).isElementwise)
        XCTAssertTrue(Op.movingAverage(momentum: 0.5).isElementwise)
    }

    func testViewOpsShareTheirInputsStorage() throws {
        for op in OpSamples.every where op.mayAliasInput {
            let inputs = OpSamples.inputs(for: op)
            let out = try op.evaluate(inputs)
            // reduceLike and broadcastLike are views only when nothing is summed or repeated.
            if op == .reduceLike || op == .broadcastLike { continue }
            XCTAssertTrue(out.storage === inputs[0].storage, "\(op)")
        }
        let x = randomArray([2, 3, 4], seed: 1)
        XCTAssertTrue(try Op.reduceLike.evaluate([x, NDArray(zeros: [2, 3, 4])]).storage === x.storage)
        XCTAssertTrue(try Op.broadcastLike.evaluate([x, NDArray(zeros: [2, 3, 4])]).storage === x.storage)
        XCTAssertFalse(Op.add.mayAliasInput)
        XCTAssertFalse(Op.cat(dim: 0, count: 2).mayAliasInput)
    }

    func testOnlyTheDropoutMaskIsStateful() {
        XCTAssertEqual(OpSamples.every.filter(\.isStateful).map(\.kind), [.bernoulliMask])
    }

    func testFusedChainsAreDifferentiableOnlyWithoutSign() {
        XCTAssertTrue(Op.fusedElementwise([.relu, .gelu]).isDifferentiable)
        XCTAssertFalse(Op.fusedElementwise([.abs, .sign]).isDifferentiable)
    }
}

/// What a gradient rule read of the op's inputs and output.
private final class ReadLog {
    var inputs: [ValueUse]
    var output = ValueUse.unused
    init(inputs: Int) { self.inputs = Array(repeating: .unused, count: inputs) }
}

/// A `TensorExpression` that computes like `Value` and logs, into `Traced.log`, every use of a
/// value that is one of the op's inputs or its output (tagged by `origin`).
private struct Traced: TensorExpression {
    enum Origin { case input(Int), output, other }
    nonisolated(unsafe) static var log: ReadLog?
    let array: NDArray
    let origin: Origin

    static func apply(_ op: Op, _ inputs: [Traced], at location: SourceLocation?) -> Traced {
        for (position, input) in inputs.enumerated() {
            let use: ValueUse = op.readsOnlyShape(ofInput: position) ? .shape : .value
            switch input.origin {
            case .input(let i): log!.inputs[i] = Swift.max(log!.inputs[i], use)
            case .output: log!.output = Swift.max(log!.output, use)
            case .other: break
            }
        }
        return Traced(array: try! op.evaluate(inputs.map(\.array), at: location), origin: .other)
    }

    static func assign(_ value: Traced, to target: Traced, at location: SourceLocation?) {
        XCTFail("a gradient rule assigned a value")
    }

    static func failure(_ error: TandemError) -> Traced {
        XCTFail("a gradient rule failed: \(error)")
        return Traced(array: NDArray(zeros: [0]), origin: .other)
    }
}
