import Foundation
import XCTest

/// Tutorial 15 (control flow in a graph): every claim it prints is checked against the figures it
/// prints next to it, and against closed forms computed here; its exercises are run with their
/// flags and their answers checked.
final class Tutorial15Tests: XCTestCase {
    private let product = "tutorial-15-control-flow"
    private let a: Float = 1.5

    /// The numbers inside the first `[...]` after `marker`.
    private func vector(after marker: String, in text: String, file: StaticString = #filePath, line: UInt = #line) -> [Float] {
        guard let range = text.range(of: marker), let open = text[range.upperBound...].firstIndex(of: "["),
              let close = text[open...].firstIndex(of: "]")
        else {
            XCTFail("no vector after \"\(marker)\" in:\n\(text)", file: file, line: line)
            return []
        }
        return text[text.index(after: open)..<close].split(separator: ",").compactMap {
            Float($0.trimmingCharacters(in: .whitespaces))
        }
    }

    private func scalar(after marker: String, in text: String, file: StaticString = #filePath, line: UInt = #line) -> Float {
        let values = TutorialTests.numbers(after: marker, in: text)
        XCTAssertFalse(values.isEmpty, "no number after \"\(marker)\"", file: file, line: line)
        return values.first ?? .nan
    }

    /// Checks the loop section for `n` iterations, from the x the tutorial printed.
    private func checkLoop(_ text: String, iterations n: Int, file: StaticString = #filePath, line: UInt = #line) {
        let x = vector(after: "\nx = ", in: text, file: file, line: line)
        XCTAssertTrue(text.contains("the loop ran \(n) iterations"), text, file: file, line: line)
        let aN = Float(pow(Double(a), Double(n)))
        assertClose(vector(after: "x * a^\(n) = ", in: text), x.map { $0 * aN }, file: file, line: line)
        assertClose(vector(after: "d/dx sum = ", in: text), [aN, aN, aN], file: file, line: line)
        let da = n == 0 ? 0 : Float(n) * Float(pow(Double(a), Double(n - 1))) * x.reduce(0, +)
        assertClose([scalar(after: "d/da sum = ", in: text)], [da], file: file, line: line)
        assertClose([scalar(after: "(closed form n a^(n-1) sum(x) = ", in: text)], [da], file: file, line: line)
        XCTAssertLessThan(scalar(after: "largest difference between graph and eager: ", in: text), 1e-4, file: file, line: line)
        XCTAssertTrue(text.contains("\(n) iteration(s) x [3] floats recorded"), text, file: file, line: line)
    }

    func testTutorial15ControlFlow() throws {
        let out = try TutorialRunner.run(product)
        out.expectSuccess()
        let text = out.text
        // cond: x = [1, 2, 3] has a positive sum, so the then branch ran, and only it printed.
        let x = vector(after: "\nx = ", in: text)
        XCTAssertEqual(x, [1, 2, 3])
        out.expect("sum(x) > 0 is true: the then branch ran")
        out.expect("(the then branch ran) x*x = ")
        XCTAssertFalse(text.contains("(the else branch ran)"), text)
        XCTAssertEqual(vector(after: "y = ", in: text), x.map { $0 * $0 })
        XCTAssertEqual(vector(after: "dy/dx = ", in: text), x.map { 2 * $0 })
        XCTAssertEqual(vector(after: "sits in the branch not taken: result ", in: text), [2, 4, 6, 8, 10])
        // whileLoop: n = 4 by default; the same graph fed 0 and 7 runs 0 and 7 iterations.
        checkLoop(text, iterations: 4)
        out.expect("the same graph fed n = 0 runs 0 iterations")
        out.expect("the same graph fed n = 7 runs 7 iterations")
        XCTAssertEqual(vector(after: "eager picks its branch with item(): y = ", in: text), x.map { $0 * $0 })
        // Under the hood: what each sub-graph captures and replays.
        out.expect("condition of 'while': 3 nodes, 2 arguments, captures [n]")
        out.expect("body of 'while': 4 nodes, 2 arguments, captures [a]")
        out.expect("captures [a], replays [while/body/loop_variable_1] from the forward run")
        // The picture: five frames, and the SVG file written beside the output.
        out.expect("5 frames (while_loop 'while' (main.swift:")
        let svgURL = FileManager.default.temporaryDirectory.appendingPathComponent("control-flow-loop.svg")
        let svg = try String(contentsOf: svgURL, encoding: .utf8)
        XCTAssertTrue(svg.hasPrefix("<?xml") && svg.contains("<svg xmlns="), String(svg.prefix(200)))
        XCTAssertTrue(svg.contains("class=\"frame outer\"") && svg.contains("replayed loop_variable_1"))
        // The two mistakes name the graph's remedy and the tutorial's marked lines.
        let marked = try TutorialTests.markedLines(in: "15-ControlFlow")
        XCTAssertEqual(marked.count, 2)
        out.expect(matching: #"error: node 'sum': has no value while the graph is being built.*graph\.cond"#)
        out.expect("main.swift:\(marked.first ?? -1))")
        out.expect("loop variable 1 ('row'")
        out.expect("has shape [1, 3] but the body returns it with shape [1, 2]")
        out.expect("main.swift:\(marked.last ?? -1)")
    }

    /// Exercise 1: `--n 6`: x a^6 and d/da = 6 a^5 sum(x).
    func testExerciseLongerLoop() throws {
        let out = try TutorialRunner.run(product, arguments: ["--n", "6"])
        out.expectSuccess()
        checkLoop(out.text, iterations: 6)
        XCTAssertEqual(scalar(after: "d/da sum = ", in: out.text), 6 * Float(pow(1.5, 5.0)) * 6, accuracy: 1e-3)
    }

    /// Exercise 2: `--n 10 --max-iterations 3`: three iterations, d/dx = a^3, d/da = 3 a^2 sum(x).
    func testExerciseStopEarly() throws {
        let out = try TutorialRunner.run(product, arguments: ["--n", "10", "--max-iterations", "3"])
        out.expectSuccess()
        out.expect("n = 10, maximumIterations = 3: the loop ran 3 iterations")
        checkLoop(out.text, iterations: 3)
        XCTAssertEqual(scalar(after: "d/da sum = ", in: out.text), 40.5, accuracy: 1e-3)
    }

    /// Exercise 3: `--scale -1`: the else branch (3x + 1, gradient 3) and a negative d/da.
    func testExerciseOtherBranch() throws {
        let out = try TutorialRunner.run(product, arguments: ["--scale", "-1"])
        out.expectSuccess()
        let text = out.text
        let x = vector(after: "\nx = ", in: text)
        XCTAssertEqual(x, [-1, -2, -3])
        out.expect("sum(x) > 0 is false: the else branch ran")
        XCTAssertFalse(text.contains("(the then branch ran)"), text)
        XCTAssertEqual(vector(after: "y = ", in: text), x.map { 3 * $0 + 1 })
        XCTAssertEqual(vector(after: "dy/dx = ", in: text), [3, 3, 3])
        checkLoop(text, iterations: 4)
        XCTAssertEqual(scalar(after: "d/da sum = ", in: text), -81, accuracy: 1e-3)
    }

    private func assertClose(_ actual: [Float], _ expected: [Float], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(actual.count, expected.count, "\(actual) vs \(expected)", file: file, line: line)
        for (p, q) in zip(actual, expected) {
            XCTAssertEqual(p, q, accuracy: 1e-3 * Swift.max(1, abs(q)), "\(actual) vs \(expected)", file: file, line: line)
        }
    }
}
