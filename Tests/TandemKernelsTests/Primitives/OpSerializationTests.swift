import Foundation
import TandemKernels
import XCTest

/// The stored form of every op (`Op+Serialization.swift`): names, attributes, round trips.
final class OpSerializationTests: XCTestCase {
    func testEveryOpRoundTripsThroughItsStoredFormAndJSON() throws {
        for op in OpSamples.every {
            XCTAssertEqual(Op(serialized: op.serialized), op, "\(op)")
            let json = try JSONEncoder().encode(op.serialized)
            XCTAssertEqual(Op(serialized: try JSONDecoder().decode(SerializedOp.self, from: json)), op, "\(op)")
            XCTAssertEqual(op.serialized.name, op.name)
        }
        let chain = Op.fusedElementwise([.clamp(min: nil, max: 2), .leakyRelu(0.3), .gelu])
        XCTAssertEqual(Op(serialized: chain.serialized), chain)
    }

    func testNamesAreUniqueLowercaseAndStable() {
        let names = Op.Kind.allCases.map(\.rawValue)
        XCTAssertEqual(Set(names).count, names.count)
        XCTAssertTrue(names.allSatisfy { $0 == $0.lowercased() && !$0.contains(" ") })
        // Names already in saved graph files must not change.
        XCTAssertEqual(Op.reduceLike.name, "sum_to_shape")
        XCTAssertEqual(Op.maxPool2d(kernelSize: 2, stride: 2).name, "max_pool2d")
        XCTAssertEqual(Op.binaryCrossEntropyWithLogits.name, "binary_cross_entropy_with_logits")
    }

    func testInvalidStoredFormsAreRejected() {
        XCTAssertNil(Op(serialized: SerializedOp(name: "no_such_op")))
        XCTAssertNil(Op(serialized: SerializedOp(name: "narrow", ints: [1, 2])))
        XCTAssertNil(Op(serialized: SerializedOp(name: "clamp", floats: [1], bools: [true])))
        XCTAssertNil(Op(serialized: SerializedOp(name: "sum", ints: [0, 1], bools: [false])))
        XCTAssertNil(Op(serialized: SerializedOp(name: "linear", ints: [9], bools: [true])))
        XCTAssertNil(Op(serialized: SerializedOp(name: "batch_norm", floats: [1e-5])))
        XCTAssertNil(Op(serialized: SerializedOp(name: "fused_elementwise", steps: [SerializedOp(name: "matmul")])))
    }

    func testAttributesArePositionalAsDocumented() {
        XCTAssertEqual(Op.narrow(dim: 1, start: -2, length: 3).serialized.ints, [1, -2, 3])
        XCTAssertEqual(Op.clamp(min: nil, max: 2).serialized, SerializedOp(name: "clamp", floats: [0, 2], bools: [false, true]))
        XCTAssertEqual(Op.layerNorm(normalizedShape: [4, 5], eps: 0.5, affine: true).serialized,
                       SerializedOp(name: "layer_norm", ints: [4, 5], floats: [0.5], bools: [true]))
        XCTAssertEqual(Op.sum(dim: nil, keepDim: false).serialized, SerializedOp(name: "sum", ints: [], bools: [false]))
    }
}
