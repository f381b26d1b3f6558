import Foundation
import XCTest

/// Tutorial 14 (dynamic models): the three strategies compute the same function (same losses
/// from the same weights), and their costs are the closed forms of the lengths they run; the
/// exercises are run with their flags and their answers checked.
final class Tutorial14Tests: XCTestCase {
    private let product = "tutorial-14-dynamic-models"

    /// The row-steps of the three strategies, in table order.
    private func rowSteps(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> [Int] {
        let names = ["eager (packed)", "graph whileLoop", "graph padded to 28"]
        return names.map { name in
            let row = text.split(separator: "\n").first { $0.hasPrefix(name + " ") }
            XCTAssertNotNil(row, "no row for \(name) in:\n\(text)", file: file, line: line)
            return row.flatMap { Int($0.dropFirst(name.count).split(separator: " ").first ?? "") } ?? -1
        }
    }

    /// The number right after `marker` on the line that starts with `prefix` (spaces skipped).
    private func number(after marker: String, onLineStarting prefix: String, in text: String) -> Float? {
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }),
              let range = line.range(of: marker) else { return nil }
        let rest = line[range.upperBound...].drop { $0 == " " }
        return Float(String(rest.prefix { "0123456789.-+e".contains($0) }))
    }

    private func checkParity(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
        let prefix = "largest loss difference over the first 5 steps"
        let looped = number(after: "whileLoop ", onLineStarting: prefix, in: text)
        let padded = number(after: "padded ", onLineStarting: prefix, in: text)
        XCTAssertNotNil(looped, text, file: file, line: line)
        XCTAssertLessThan(looped ?? 1, 1e-4, "whileLoop vs eager", file: file, line: line)
        XCTAssertLessThan(padded ?? 1, 1e-4, "padded vs eager", file: file, line: line)
    }

    func testTutorial14DynamicModels() throws {
        let out = try TutorialRunner.run(product)
        out.expectSuccess()
        let text = out.text
        out.expect("512 training digits, lengths ")
        out.expect(" rows ")
        checkParity(text)
        let costs = rowSteps(text)
        // 16 batches of 32 in quick mode: padding computes 28 rows of every digit; the loop
        // computes each batch's longest; eager each digit's own length (cropped: fewer).
        XCTAssertEqual(costs[2], 16 * 32 * 28)
        XCTAssertLessThan(costs[0], costs[1])
        XCTAssertLessThan(costs[1], costs[2])
        // Default hidden 32: 4*32*28 + 4*32*32 + 2*4*32 parameters.
        out.expect("LSTM(28, 32) parameters: 7936, batches of 32")
    }

    /// Exercise 1: `--no-crop`: every digit has 28 rows, so all three compute the same row-steps.
    func testExerciseNoCrop() throws {
        let out = try TutorialRunner.run(product, arguments: ["--no-crop"])
        out.expectSuccess()
        out.expect("512 training digits, lengths 28...28")
        checkParity(out.text)
        XCTAssertEqual(Set(rowSteps(out.text)), [16 * 32 * 28])
    }

    /// Exercise 2: `--bucket`: batches of similar lengths, so the whileLoop's longest-in-batch
    /// is close to every digit's length: it computes fewer row-steps than with random batches,
    /// eager computes the same (every digit once, to its own length), padding still 28 rows.
    func testExerciseBucketing() throws {
        let base = try TutorialRunner.run(product)
        let out = try TutorialRunner.run(product, arguments: ["--bucket"])
        out.expectSuccess()
        checkParity(out.text)
        let bucketed = rowSteps(out.text), random = rowSteps(base.text)
        XCTAssertEqual(bucketed[0], random[0], "eager computes every digit's own rows whatever the batches")
        XCTAssertLessThan(bucketed[1], random[1])
        XCTAssertGreaterThanOrEqual(bucketed[1], bucketed[0])
        XCTAssertEqual(bucketed[2], 16 * 32 * 28)
    }

    /// Exercise 3: `--hidden 16`: 4*16*(28+16) + 8*16 = 2944 parameters; parity still holds.
    func testExerciseHidden16() throws {
        let out = try TutorialRunner.run(product, arguments: ["--hidden", "16"])
        out.expectSuccess()
        out.expect("LSTM(28, 16) parameters: 2944")
        checkParity(out.text)
    }
}
