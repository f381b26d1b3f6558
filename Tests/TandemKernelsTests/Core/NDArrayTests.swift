import TandemKernels
import XCTest

/// NDArray's value semantics, views and layout (`Core/NDArray.swift`). Preconditions (a shape
/// that does not match the scalars) trap and are not tested here.
final class NDArrayTests: XCTestCase {
    func testInitialisers() {
        let a = NDArray(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(a.shape, [2, 3])
        XCTAssertEqual(a.count, 6)
        XCTAssertEqual(a.rank, 2)
        XCTAssertEqual(a.scalars, [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(a[1, 2], 6)
        XCTAssertEqual(NDArray(zeros: [2, 2]).scalars, [0, 0, 0, 0])
        XCTAssertEqual(NDArray(ones: [3]).scalars, [1, 1, 1])
        XCTAssertEqual(NDArray(repeating: 7, shape: [2]).scalars, [7, 7])
        let s = NDArray(4.5)
        XCTAssertEqual(s.shape, [])
        XCTAssertEqual(s.count, 1)
        XCTAssertEqual(s.scalar, 4.5)
        let empty = NDArray(zeros: [0, 3])
        XCTAssertEqual(empty.count, 0)
        XCTAssertEqual(empty.scalars, [])
        XCTAssertEqual(NDArray(shape: [2, 0, 4], scalars: []).shape, [2, 0, 4])
    }

    func testCopyOnWrite() {
        let original = NDArray(shape: [2, 2], scalars: [1, 2, 3, 4])
        var copy = original
        XCTAssertTrue(copy.storage === original.storage, "a copy shares storage until written")
        copy[0, 1] = 20
        XCTAssertEqual(original.scalars, [1, 2, 3, 4])
        XCTAssertEqual(copy.scalars, [1, 20, 3, 4])
        XCTAssertFalse(copy.storage === original.storage)

        var viaBuffer = original
        viaBuffer.withUnsafeMutableBufferPointer { $0[3] = 40 }
        XCTAssertEqual(original.scalars, [1, 2, 3, 4])
        XCTAssertEqual(viaBuffer.scalars, [1, 2, 3, 40])

        // A uniquely owned array is written in place.
        var unique = NDArray(shape: [2], scalars: [1, 2])
        let pointer = unique.storage.pointer  // not a reference: keeps the storage unique
        unique[1] = 5
        XCTAssertEqual(unique.storage.pointer, pointer)
        XCTAssertTrue(unique.isUniquelyOwned())
    }

    func testWritingAViewLeavesTheBaseAlone() {
        let base = NDArray(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        var view = base.transposed(0, 1)
        view[0, 1] = 40
        XCTAssertEqual(base.scalars, [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(view.scalars, [1, 40, 2, 5, 3, 6])
    }

    func testViewsShareStorage() {
        let a = randomArray([2, 3, 4], seed: 1)
        let reshaped = a.reshaped([6, -1])
        XCTAssertEqual(reshaped.shape, [6, 4])
        XCTAssertTrue(reshaped.storage === a.storage)
        XCTAssertEqual(reshaped.scalars, naiveScalars(a))

        let t = a.transposed(0, 2)
        XCTAssertTrue(t.storage === a.storage)
        XCTAssertEqual(t.shape, [4, 3, 2])
        XCTAssertFalse(t.isContiguous)
        XCTAssertEqual(t.scalars, naiveScalars(Naive.transpose(a, 0, 2)))
        XCTAssertEqual(t[3, 1, 0], a[0, 1, 3])

        let row = NDArray(shape: [3], scalars: [1, 2, 3])
        let b = row.broadcast(to: [2, 3])
        XCTAssertTrue(b.storage === row.storage)
        XCTAssertEqual(b.strides, [0, 1])
        XCTAssertEqual(b.scalars, [1, 2, 3, 1, 2, 3])
        let column = NDArray(shape: [2, 1], scalars: [1, 2]).broadcast(to: [2, 2, 3])
        XCTAssertEqual(column.scalars, [1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2])
    }

    func testReshapingANonContiguousViewCopies() {
        let a = randomArray([3, 4], seed: 2)
        let t = a.transposed(0, 1)
        let r = t.reshaped([12])
        XCTAssertEqual(r.scalars, naiveScalars(Naive.transpose(a, 0, 1)))
        XCTAssertFalse(r.storage === a.storage)
        XCTAssertTrue(r.isContiguous)
    }

    func testContiguousAndScalarsOfStridedViews() {
        let base = randomArray([4, 6], seed: 3)
        let views = [
            NDArray(storage: base.storage, shape: [2, 6], strides: [6, 1], offset: 12),  // contiguous with offset
            NDArray(storage: base.storage, shape: [4, 3], strides: [6, 2], offset: 1),  // every other column
            NDArray(storage: base.storage, shape: [3, 2, 2], strides: [1, 12, 6], offset: 2),  // permuted
            NDArray(storage: base.storage, shape: [1, 5], strides: [99, 1], offset: 0),  // size-1 dim, odd stride
        ]
        for view in views {
            let dense = view.contiguous()
            XCTAssertTrue(dense.isContiguous)
            XCTAssertEqual(dense.scalars, naiveScalars(view))
            XCTAssertEqual(view.scalars, naiveScalars(view))
            view.withUnsafeBufferPointer { XCTAssertEqual(Array($0), naiveScalars(view)) }
        }
        XCTAssertTrue(views[0].isContiguous)
        XCTAssertTrue(views[3].isContiguous, "a size-1 dim's stride does not matter")
        XCTAssertFalse(views[1].isContiguous)
    }

    func testLargeStridedCopy() {
        let a = randomArray([300, 250], seed: 4)
        XCTAssertEqual(a.transposed(0, 1).scalars, naiveScalars(Naive.transpose(a, 0, 1)))
    }

    func testEquality() {
        let a = NDArray(shape: [2, 2], scalars: [1, 2, 3, 4])
        XCTAssertEqual(a, NDArray(shape: [2, 2], scalars: [1, 2, 3, 4]))
        XCTAssertNotEqual(a, NDArray(shape: [4], scalars: [1, 2, 3, 4]), "same values, different shape")
        XCTAssertNotEqual(a, NDArray(shape: [2, 2], scalars: [1, 2, 3, 5]))
        // Equality compares values, not layout.
        let t = NDArray(shape: [2, 2], scalars: [1, 3, 2, 4]).transposed(0, 1)
        XCTAssertEqual(a, t)
        XCTAssertEqual(NDArray(zeros: [0, 3]), NDArray(shape: [0, 3], scalars: []))
    }

    func testResolveReshape() {
        XCTAssertEqual(resolveReshape([2, -1], count: 6), [2, 3])
        XCTAssertEqual(resolveReshape([-1], count: 0), [0])
        XCTAssertNil(resolveReshape([4, -1], count: 6))
        XCTAssertNil(resolveReshape([-1, -1], count: 6))
        XCTAssertNil(resolveReshape([0, -1], count: 0), "a -1 next to a 0 is ambiguous")
        XCTAssertNil(resolveReshape([5], count: 6))
        XCTAssertEqual(contiguousStrides([2, 3, 4]), [12, 4, 1])
        XCTAssertEqual(contiguousStrides([]), [])
    }
}
