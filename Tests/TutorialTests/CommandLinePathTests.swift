import Foundation
import XCTest

/// The `tandem` CLI checks every input and output path before it trains, so a typo fails at
/// once instead of losing a finished run; `--steps 1` runs (it used to trap).
final class CommandLinePathTests: XCTestCase {
    private func tandem(_ arguments: [String]) throws -> (status: Int32, output: String, seconds: Double) {
        guard let url = TutorialRunner.executable("tandem") else { throw XCTSkip("tandem was not built") }
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let start = Date()
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self), Date().timeIntervalSince(start))
    }

    func testBadPathsFailBeforeTraining() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let aFile = directory.appendingPathComponent("a-file")
        try Data("x".utf8).write(to: aFile)
        let cases: [([String], String)] = [
            (["compare", "--json", aFile.path + "/out.json"], "--json"),
            (["compare", "--json", directory.path], "is a directory"),
            (["compare", "--report", aFile.path], "is a file"),
            (["compare", "--peers", directory.appendingPathComponent("missing.json").path], "--peers"),
            (["train", "--model", "mlp", "--json", aFile.path + "/x/y.json"], "--json"),
            (["bench", "--json", directory.path], "is a directory"),
        ]
        for (arguments, fragment) in cases {
            let (status, output, seconds) = try tandem(arguments)
            XCTAssertNotEqual(status, 0, "\(arguments): \(output)")
            XCTAssertTrue(output.contains(fragment), "\(arguments): \(output)")
            XCTAssertFalse(output.contains("steps of"), "\(arguments) trained before failing: \(output)")
            XCTAssertLessThan(seconds, 30, "\(arguments)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["a-file"])
    }

    func testCompareWithOneStepRuns() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let json = directory.appendingPathComponent("new/dir/result.json")
        let (status, output, _) = try tandem(["compare", "--model", "mlp", "--steps", "1", "--no-faults", "--json", json.path])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(FileManager.default.fileExists(atPath: json.path), output)
    }
}
