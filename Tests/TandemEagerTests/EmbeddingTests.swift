import XCTest

@testable import TandemEager

final class EmbeddingTests: XCTestCase {
    func testLooksUpRowsAndAccumulatesGradientsOfRepeatedIndices() {
        let embed = Embedding(5, 3)
        XCTAssertEqual(embed.weight.shape, [5, 3])
        XCTAssertEqual(embed.stateDict().keys.sorted(), ["weight"])
        let table = embed.weight.scalars
        let indices = Tensor(shape: [2, 2], scalars: [4, 0, 4, 2])
        let out = embed(indices)
        XCTAssertEqual(out.shape, [2, 2, 3])
        let expected = [4, 0, 4, 2].flatMap { row in table[(row * 3)..<(row * 3 + 3)] }
        XCTAssertEqual(out.scalars, expected)
        (out * 2).sum().backward()
        // Row 4 is used twice, rows 0 and 2 once, rows 1 and 3 never.
        XCTAssertEqual(embed.weight.grad!.scalars, [2, 2, 2, 0, 0, 0, 2, 2, 2, 0, 0, 0, 4, 4, 4])
    }

    func testOutOfRangeIndexNamesTheModule() {
        let embed = Embedding(3, 2)
        let error = checkedError { _ = embed(Tensor(shape: [2], scalars: [1, 3])) }
        XCTAssertTrue("\(error!)".contains("Embedding(3, 2)") && "\(error!)".contains("0..<3"), "\(error!)")
    }
}
