import XCTest

@testable import TandemEager

final class ModuleStateDictTests: XCTestCase {
    func makeModel() -> Sequential {
        Sequential {
            Linear(3, 2)
            ReLU()
            Linear(2, 1)
        }
    }

    func testLoadCopiesValuesIntoTheSameTensors() throws {
        let source = makeModel(), target = makeModel()
        let weight = target.parameters[0]
        try target.loadStateDict(source.stateDict())
        XCTAssertTrue(weight === target.parameters[0])
        for (a, b) in zip(source.parameters, target.parameters) { XCTAssertEqual(a.scalars, b.scalars) }
    }

    func testStateDictIsASnapshot() {
        let model = makeModel()
        let snapshot = model.stateDict()
        let before = snapshot["0.weight"]!.scalars
        model(Tensor(NDArray(ones: [1, 3]))).sum().backward()
        SGD(model.parameters, lr: 1).step()
        XCTAssertEqual(snapshot["0.weight"]!.scalars, before)
        XCTAssertNotEqual(model.stateDict()["0.weight"]!.scalars, before)
    }

    func testMissingAndUnexpectedKeys() {
        let model = makeModel()
        var dict = model.stateDict()
        dict["0.bias"] = nil
        dict["5.weight"] = NDArray(zeros: [1])
        XCTAssertThrowsError(try model.loadStateDict(dict)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("Missing key(s) in state_dict: \"0.bias\""), text)
            XCTAssertTrue(text.contains("Unexpected key(s) in state_dict: \"5.weight\""), text)
        }
        XCTAssertNoThrow(try model.loadStateDict(model.stateDict().merging(["extra": NDArray(zeros: [1])]) { a, _ in a }, strict: false))
    }

    func testShapeMismatchNamesKeyAndShapes() {
        let model = makeModel()
        var dict = model.stateDict()
        dict["2.weight"] = NDArray(zeros: [2, 2])
        let before = model.parameters[0].scalars
        dict["0.weight"] = NDArray(ones: [2, 3])
        XCTAssertThrowsError(try model.loadStateDict(dict)) { error in
            guard case let .shapeMismatch(op, shapes, reason, _) = error as? TandemError else { return XCTFail("\(error)") }
            XCTAssertEqual(op, "loadStateDict")
            XCTAssertEqual(shapes, [[2, 2], [1, 2]])
            XCTAssertTrue(reason.contains("size mismatch for 2.weight"), reason)
        }
        XCTAssertEqual(model.parameters[0].scalars, before, "nothing is loaded when anything is wrong")
    }
}
