import TandemKernels
import XCTest

/// Asserts that two arrays have the same shape and elementwise close values.
///
/// An element passes when `|actual - expected| <= tolerance * max(1, |expected|)`: absolute near
/// zero, relative for large values, which suits Float32 kernels whose rounding grows with the
/// magnitude of what they sum. NaN matches NaN and infinities must match exactly.
///
/// - Parameters:
///   - actual: the value computed by the code under test.
///   - expected: the value from an independent reference.
///   - tolerance: the allowed error per element.
func assertClose(
    _ actual: NDArray, _ expected: NDArray, tolerance: Float = 1e-5, _ message: String = "",
    file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertEqual(actual.shape, expected.shape, "shapes differ \(message)", file: file, line: line)
    guard actual.shape == expected.shape else { return }
    assertClose(naiveScalars(actual), naiveScalars(expected), tolerance: tolerance, message, file: file, line: line)
}

/// Asserts that two lists of floats have the same length and elementwise close values (see the
/// NDArray overload for the rule).
func assertClose(
    _ actual: [Float], _ expected: [Float], tolerance: Float = 1e-5, _ message: String = "",
    file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertEqual(actual.count, expected.count, "lengths differ \(message)", file: file, line: line)
    var failures = 0
    for (i, (a, e)) in zip(actual, expected).enumerated() {
        let ok: Bool
        if e.isNaN {
            ok = a.isNaN
        } else if e.isInfinite {
            ok = a == e
        } else {
            ok = abs(a - e) <= tolerance * Swift.max(1, abs(e))
        }
        if !ok {
            failures += 1
            // A handful of failing elements say enough; thousands would drown the log.
            if failures <= 5 {
                XCTFail("element \(i): \(a) is not within \(tolerance) of \(e) \(message)", file: file, line: line)
            }
        }
    }
    if failures > 5 {
        XCTFail("\(failures) elements differ in total \(message)", file: file, line: line)
    }
}

/// Asserts that `body` throws a `TandemError` and returns it for further checks.
@discardableResult
func assertThrowsTandemError<R>(
    _ body: () throws(TandemError) -> R, file: StaticString = #filePath, line: UInt = #line
) -> TandemError? {
    do {
        _ = try body()
        XCTFail("expected a TandemError, got a value", file: file, line: line)
        return nil
    } catch {
        return error
    }
}

/// Asserts that evaluating `op` on arrays of the given shapes throws `shapeMismatch` naming the
/// op, every input shape and the location passed in, and that the message says so too.
func assertShapeError(
    _ op: Op, _ shapes: [[Int]], file: StaticString = #filePath, line: UInt = #line
) {
    let location = SourceLocation(file: "Model.swift", line: 42)
    let inputs = shapes.map { NDArray(zeros: $0) }
    guard let error = assertThrowsTandemError({ () throws(TandemError) in try op.evaluate(inputs, at: location) }, file: file, line: line)
    else { return }
    guard case let .shapeMismatch(name, errorShapes, reason, errorLocation) = error else {
        XCTFail("expected shapeMismatch for \(op), got \(error)", file: file, line: line)
        return
    }
    XCTAssertEqual(name, op.name, file: file, line: line)
    XCTAssertEqual(errorShapes, shapes.map { $0.map(Optional.some) }, file: file, line: line)
    XCTAssertFalse(reason.isEmpty, file: file, line: line)
    XCTAssertEqual(errorLocation, location, file: file, line: line)
    let text = error.description
    XCTAssertTrue(text.hasPrefix(op.name + ":"), "message \(text) does not start with the op", file: file, line: line)
    for shape in shapes {
        let formatted = "[" + shape.map(String.init).joined(separator: ", ") + "]"
        XCTAssertTrue(text.contains(formatted), "message \(text) does not name \(formatted)", file: file, line: line)
    }
    XCTAssertTrue(text.contains("Model.swift:42"), "message \(text) does not name the line", file: file, line: line)
}
