import TandemKernels
import XCTest

/// Slicing, reordering, gathering and joining (`Kernels/Indexing.swift` and the view ops of
/// `Core/NDArray+Views.swift` behind narrow, permute, squeeze and unsqueeze) against naive loops.
final class IndexingTests: XCTestCase {
    func testNarrowIsAViewOfTheRightElements() throws {
        let x = randomArray([3, 5, 4], seed: 1)
        for (dim, start, length) in [(0, 1, 2), (1, 0, 5), (1, 3, 2), (2, 1, 0), (-1, -3, 2), (1, -5, 1)] {
            let axis = dim < 0 ? dim + 3 : dim, first = start < 0 ? start + x.shape[axis] : start
            let y = try Op.narrow(dim: dim, start: start, length: length).evaluate([x])
            XCTAssertEqual(y, Naive.narrow(x, axis: axis, start: first, length: length), "\(dim) \(start) \(length)")
            XCTAssertTrue(y.storage === x.storage)
        }
        // On a transposed view too.
        let t = x.transposed(0, 2)
        XCTAssertEqual(try Op.narrow(dim: 1, start: 2, length: 2).evaluate([t]), Naive.narrow(Naive.transpose(x, 0, 2), axis: 1, start: 2, length: 2))
    }

    func testNarrowBackwardPlacesTheGradient() throws {
        let x = NDArray(zeros: [3, 5, 4]), g = randomArray([3, 2, 4], seed: 2)
        let dx = try Op.narrowBackward(dim: 1, start: -4, length: 2).evaluate([g, x])
        // Naive: the narrowed window of dx is g, everything else 0.
        XCTAssertEqual(Naive.narrow(dx, axis: 1, start: 1, length: 2), g)
        XCTAssertEqual(naiveScalars(dx).reduce(0, +), naiveScalars(g).reduce(0, +), accuracy: 1e-5)
        XCTAssertEqual(Naive.narrow(dx, axis: 1, start: 3, length: 2), NDArray(zeros: [3, 2, 4]))
    }

    func testPermuteSqueezeUnsqueeze() throws {
        let x = randomArray([2, 3, 4], seed: 3)
        for order in [[0, 1, 2], [2, 0, 1], [1, 2, 0], [2, 1, 0]] {
            XCTAssertEqual(try Op.permute(order).evaluate([x]), Naive.permute(x, order), "\(order)")
        }
        XCTAssertEqual(try Op.permute([-1, 0, 1]).evaluate([x]), Naive.permute(x, [2, 0, 1]))
        let column = randomArray([4, 1, 3], seed: 4)
        XCTAssertEqual(try Op.squeeze(dim: 1).evaluate([column]), Naive.reshape(column, [4, 3]))
        XCTAssertEqual(try Op.squeeze(dim: 0).evaluate([column]).shape, [4, 1, 3], "size 4: unchanged")
        XCTAssertEqual(try Op.squeeze(dim: 0).evaluate([NDArray(5)]).shape, [])
        for (dim, shape) in [(0, [1, 2, 3, 4]), (2, [2, 3, 1, 4]), (-1, [2, 3, 4, 1]), (3, [2, 3, 4, 1])] {
            let y = try Op.unsqueeze(dim: dim).evaluate([x])
            XCTAssertEqual(y, Naive.reshape(x, shape), "\(dim)")
            XCTAssertTrue(y.isContiguous, "a dense input stays dense")
        }
        // Views of views: squeeze a narrowed, transposed array.
        let t = randomArray([3, 1, 5], seed: 5).transposed(0, 2)   // [5, 1, 3]
        XCTAssertEqual(try Op.squeeze(dim: 1).evaluate([t]), Naive.reshape(Naive.transpose(randomArray([3, 1, 5], seed: 5), 0, 2), [5, 3]))
    }

    func testIndexSelectAndItsAdjoint() throws {
        let x = randomArray([3, 4, 2], seed: 6)
        for (dim, index) in [(0, [2, 0, 2]), (1, [3, 3, 1, 0, 2]), (-1, [1]), (1, [])] {
            let axis = dim < 0 ? dim + 3 : dim
            let indexArray = NDArray(shape: [index.count], scalars: index.map(Float.init))
            let y = try Op.indexSelect(dim: dim).evaluate([x, indexArray])
            XCTAssertEqual(y, Naive.indexSelect(x, axis: axis, index), "\(dim) \(index)")
            let g = randomArray(y.shape, seed: 7)
            assertClose(try Op.indexSelectBackward(dim: dim).evaluate([g, indexArray, x]),
                        Naive.indexAdd(g, shape: x.shape, axis: axis, index), "repeated indices add up")
        }
    }

    func testEmbeddingAndItsAdjoint() throws {
        let weight = randomArray([5, 3], seed: 8)
        let indices = NDArray(shape: [2, 3], scalars: [4, 0, 4, 1, 4, 2])
        let y = try Op.embedding.evaluate([indices, weight])
        XCTAssertEqual(y, Naive.reshape(Naive.indexSelect(weight, axis: 0, [4, 0, 4, 1, 4, 2]), [2, 3, 3]))
        let g = randomArray([2, 3, 3], seed: 9)
        let dw = try Op.embeddingBackward.evaluate([g, indices, weight])
        assertClose(dw, Naive.indexAdd(Naive.reshape(g, [6, 3]), shape: [5, 3], axis: 0, [4, 0, 4, 1, 4, 2]))
        XCTAssertEqual(Naive.narrow(dw, axis: 0, start: 3, length: 1), NDArray(zeros: [1, 3]), "an unused row gets 0")
    }

    func testIndicesMustBeWholeNumbersInRange() {
        let x = randomArray([3, 4], seed: 10)
        for bad in [[0, 1.5], [0, 4], [-1, 0], [Float.nan, 0]] {
            XCTAssertThrowsError(try Op.indexSelect(dim: 1).evaluate([x, NDArray(shape: [2], scalars: bad)]), "\(bad)") { error in
                guard case .invalidValue(let op, let reason, _) = error as? TandemError else { return XCTFail("\(error)") }
                XCTAssertEqual(op, "index_select")
                XCTAssertTrue(reason.contains("position 1") || reason.contains("position 0"), reason)
            }
        }
        XCTAssertThrowsError(try Op.embedding.evaluate([NDArray(shape: [1], scalars: [5]), randomArray([5, 2], seed: 11)]))
    }

    func testCatAndStack() throws {
        let a = randomArray([2, 3, 4], seed: 12), b = randomArray([2, 1, 4], seed: 13), c = randomArray([2, 2, 4], seed: 14)
        XCTAssertEqual(try Op.cat(dim: 1, count: 3).evaluate([a, b, c]), Naive.cat([a, b, c], axis: 1))
        XCTAssertEqual(try Op.cat(dim: 0, count: 2).evaluate([a, a]), Naive.cat([a, a], axis: 0))
        XCTAssertEqual(try Op.cat(dim: -1, count: 2).evaluate([a, a.transposed(0, 1).transposed(0, 1)]), Naive.cat([a, a], axis: 2))
        XCTAssertEqual(try Op.cat(dim: 1, count: 2).evaluate([a, NDArray(zeros: [2, 0, 4])]), a)
        let d = randomArray([2, 3, 4], seed: 15)
        for dim in 0...3 {
            XCTAssertEqual(try Op.stack(dim: dim, count: 3).evaluate([a, d, a]), Naive.stack([a, d, a], axis: dim), "\(dim)")
        }
        XCTAssertEqual(try Op.stack(dim: -1, count: 2).evaluate([a, d]), Naive.stack([a, d], axis: 3))
        XCTAssertEqual(try Op.stack(dim: 0, count: 2).evaluate([NDArray(1), NDArray(2)]), dense([2], [1, 2]))
    }

    func testCatBackwardIsAViewOfEachInputsPart() throws {
        let a = NDArray(zeros: [2, 3]), b = NDArray(zeros: [2, 1]), c = NDArray(zeros: [2, 2])
        let g = randomArray([2, 6], seed: 16)
        for (index, (start, length)) in [(0, 3), (3, 1), (4, 2)].enumerated() {
            let part = try Op.catBackward(dim: 1, index: index, count: 3).evaluate([g, a, b, c])
            XCTAssertEqual(part, Naive.narrow(g, axis: 1, start: start, length: length))
            XCTAssertTrue(part.storage === g.storage)
        }
    }

    func testLargeJoinAndGather() throws {
        // Above the parallel threshold, to cover the same code at size.
        let a = randomArray([300, 257], seed: 17), b = randomArray([300, 3], seed: 18)
        XCTAssertEqual(try Op.cat(dim: 1, count: 2).evaluate([a, b]), Naive.cat([a, b], axis: 1))
        let index = (0..<500).map { Float(($0 * 37) % 300) }
        XCTAssertEqual(try Op.indexSelect(dim: 0).evaluate([a, NDArray(shape: [500], scalars: index)]),
                       Naive.indexSelect(a, axis: 0, index.map { Int($0) }))
    }
}
