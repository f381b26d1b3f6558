import TandemKernels
import XCTest

/// The view constructors of `Core/NDArray+Views.swift`: no copy, the right elements.
final class NDArrayViewsTests: XCTestCase {
    func testViewsShareStorageAndReadTheRightElements() {
        let x = randomArray([2, 3, 4], seed: 1)
        let narrowed = x.narrowed(2, start: 1, length: 2)
        XCTAssertTrue(narrowed.storage === x.storage)
        XCTAssertEqual(narrowed, Naive.narrow(x, axis: 2, start: 1, length: 2))
        XCTAssertEqual(narrowed.offset, 1)
        let permuted = x.permuted([2, 0, 1])
        XCTAssertTrue(permuted.storage === x.storage)
        XCTAssertEqual(permuted, Naive.permute(x, [2, 0, 1]))
        XCTAssertEqual(x.unsqueezed(0).squeezed(0), x)
        XCTAssertEqual(x.unsqueezed(3).shape, [2, 3, 4, 1])
        XCTAssertTrue(x.unsqueezed(1).isContiguous)
        // Views of views keep counting from the same storage.
        XCTAssertEqual(permuted.narrowed(0, start: 3, length: 1).squeezed(0), Naive.permute(Naive.narrow(x, axis: 2, start: 3, length: 1), [2, 0, 1]).reshaped([2, 3]))
    }
}
