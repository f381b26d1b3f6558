import XCTest

@testable import TandemEager

/// Asserts that two arrays agree elementwise within `atol + rtol * |expected|`.
func assertClose(
    _ actual: [Float], _ expected: [Float], atol: Float = 1e-5, rtol: Float = 1e-4, _ message: String = "",
    file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertEqual(actual.count, expected.count, "\(message): count", file: file, line: line)
    guard actual.count == expected.count else { return }
    for (i, (a, e)) in zip(actual, expected).enumerated() where !(abs(a - e) <= atol + rtol * abs(e)) {
        XCTFail("\(message): element \(i) is \(a), expected \(e)", file: file, line: line)
        return
    }
}

/// Runs `body` inside `checked` and returns the error it throws (nil if none).
func checkedError(_ body: () -> Void) -> TandemError? {
    do {
        try checked { body() }
        return nil
    } catch let error as TandemError {
        return error
    } catch {
        XCTFail("unexpected error \(error)")
        return nil
    }
}

/// A fresh temporary directory, removed at the end of the test.
func temporaryDirectory(_ test: XCTestCase) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-eager-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
}
