import Foundation
import XCTest

/// Runs a built tutorial executable in quick mode and captures what it prints.
///
/// The tutorials are executable targets, so the test target cannot link them; it runs them as
/// subprocesses instead, from the products directory that `swift build --build-tests` fills
/// (the directory holding the test bundle).
enum TutorialRunner {
    /// What one run produced.
    struct Output {
        /// Standard output and standard error, interleaved per stream (stdout first).
        let text: String
        /// The exit status (or the signal number when the process was killed).
        let status: Int32
    }

    /// How long one tutorial may run in quick mode before the test fails. Generous because a
    /// debug build on a shared 2-core machine is slow; the tutorials take a few seconds.
    static let timeout: TimeInterval = 240

    /// Directories that may hold the tutorial executables, most specific first.
    static var candidateDirectories: [URL] {
        var dirs: [URL] = []
        if let explicit = ProcessInfo.processInfo.environment["TANDEM_TUTORIAL_BIN_DIR"] {
            dirs.append(URL(fileURLWithPath: explicit))
        }
        // macOS: .../debug/TandemPackageTests.xctest is a bundle directory beside the products.
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            dirs.append(bundle.bundleURL.deletingLastPathComponent())
        }
        // Linux: the test bundle is itself the running executable, .../debug/TandemPackageTests.xctest.
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        dirs.append(executable.deletingLastPathComponent())
        if let main = Bundle.main.executableURL {
            dirs.append(main.resolvingSymlinksInPath().deletingLastPathComponent())
        }
        // Fallback: the default scratch path beside Package.swift.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        dirs.append(root.appendingPathComponent(".build/debug"))
        return dirs
    }

    /// The path of a built product, or nil when it was not built.
    static func executable(_ product: String) -> URL? {
        for dir in candidateDirectories {
            let url = dir.appendingPathComponent(product)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return nil
    }

    /// Runs `product --quick` (and `TANDEM_QUICK=1`), with `arguments` after `--quick` (an
    /// exercise's flags), and returns its output; skips the test when the executable was not
    /// built, fails it on a timeout.
    static func run(
        _ product: String, arguments: [String] = [], file: StaticString = #filePath, line: UInt = #line
    ) throws -> Output {
        guard let url = executable(product) else {
            throw XCTSkip("\(product) was not built (run `swift build --build-tests` first)")
        }
        let process = Process()
        process.executableURL = url
        process.arguments = ["--quick"] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["TANDEM_QUICK"] = "1"
        process.environment = environment
        process.currentDirectoryURL = FileManager.default.temporaryDirectory

        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        // Drain both pipes on background threads so a chatty tutorial cannot fill a pipe and block.
        let outData = Drain(stdout.fileHandleForReading)
        let errData = Drain(stderr.fileHandleForReading)

        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            XCTFail("\(product) did not finish within \(Int(timeout)) s", file: file, line: line)
        }
        process.waitUntilExit()
        let text = outData.wait() + errData.wait()
        return Output(text: text, status: process.terminationStatus)
    }
}

/// Reads a file handle to its end on a background thread.
private final class Drain: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
    }

    /// Waits for end of file and returns what was read, as text.
    func wait() -> String {
        done.wait()
        return String(decoding: data, as: UTF8.self)
    }
}

/// Assertions on a tutorial's output that print the whole output when they fail.
extension TutorialRunner.Output {
    /// Fails unless the output contains `fragment`.
    func expect(_ fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssert(text.contains(fragment), "expected \"\(fragment)\" in the output:\n\(text)", file: file, line: line)
    }

    /// Fails unless the output matches the regular expression `pattern`; returns the first match's
    /// capture groups (whole match first).
    @discardableResult
    func expect(matching pattern: String, file: StaticString = #filePath, line: UInt = #line) -> [String] {
        guard let regex = try? NSRegularExpression(pattern: pattern),
            let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text))
        else {
            XCTFail("expected a match for /\(pattern)/ in the output:\n\(text)", file: file, line: line)
            return []
        }
        return (0..<match.numberOfRanges).map { i in
            Range(match.range(at: i), in: text).map { String(text[$0]) } ?? ""
        }
    }

    /// Fails unless the process exited with status 0.
    func expectSuccess(file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(status, 0, "exited with status \(status); output:\n\(text)", file: file, line: line)
    }
}

/// Checks a tutorial README's output blocks (```output fences, written by
/// `scripts/update-tutorial-outputs.sh` from a full run) against a quick run of the program.
///
/// Every README line (but "...") must have a line of the run with the same words: the same text
/// once numbers and absolute paths are masked, found in order (preferring the same first number). Its numbers must also agree, within
/// two units of the last printed digit or 0.1 % (what a different BLAS kernel choice may change),
/// unless the line contains one of `varying`: lines whose numbers depend on the machine (timings)
/// or on the mode (quick runs train fewer steps than the README's full run). A varying line's
/// words after its last ": " may differ as well (a verdict worded from those numbers; each
/// tutorial's test checks its verdict against its figures).
enum ReadmeCheck {
    /// The lines of the README's output blocks.
    static func outputLines(of folder: String) throws -> [String] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("Tutorials/\(folder)/README.md"), encoding: .utf8)
        var lines: [String] = [], inside = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("```") {
                inside = inside ? false : line.trimmingCharacters(in: .whitespaces) == "```output"
                continue
            }
            if inside && line.trimmingCharacters(in: .whitespaces) != "..." { lines.append(line) }
        }
        return lines
    }

    private static let number = try! NSRegularExpression(pattern: #"-?(?:\d+\.?\d*(?:e[-+]?\d+)?|nan|inf)"#, options: [.caseInsensitive])
    private static let path = try! NSRegularExpression(pattern: #"(?<![\w.])/[\w.+-]+(?:/[\w.+-]+)+"#)

    /// The line's words: numbers become `#`, absolute paths `<path>`, runs of spaces one space.
    static func skeleton(_ line: String) -> String {
        var text = path.stringByReplacingMatches(in: line, range: NSRange(line.startIndex..., in: line), withTemplate: "<path>")
        text = number.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: "#")
        return text.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }

    /// A skeleton up to its last ": " (inclusive), or nil when it has none.
    static func verdictLead(_ key: String) -> String? {
        key.range(of: ": ", options: .backwards).map { String(key[..<$0.upperBound]) }
    }

    /// The numbers in a line (paths masked first), each with its number of decimals.
    static func numbers(_ line: String) -> [(value: Double, decimals: Int)] {
        let text = path.stringByReplacingMatches(in: line, range: NSRange(line.startIndex..., in: line), withTemplate: "<path>")
        return number.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { match in
            guard let range = Range(match.range, in: text) else { return nil }
            let token = String(text[range])
            let decimals = token.split(separator: ".").dropFirst().first.map { $0.prefix { $0.isNumber }.count } ?? 0
            return Double(token).map { ($0, decimals) }
        }
    }

    /// Fails for every README output line of `folder` the run `out` does not bear out.
    static func check(
        _ folder: String, against out: TutorialRunner.Output, varying: [String] = [],
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let readme = try outputLines(of: folder)
        XCTAssertFalse(readme.isEmpty, "\(folder)/README.md has no ```output blocks", file: file, line: line)
        let run = out.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let keys = run.map(skeleton)
        var cursor = 0
        for expected in readme {
            let key = skeleton(expected)
            let isVarying = varying.contains(where: { expected.contains($0) })
            // A varying line's words after its last ": " may differ too: a verdict worded from
            // figures that vary ("the CNN is more accurate", "most of it from CSE").
            let lead = isVarying ? verdictLead(key) : nil
            let order = (Array(cursor..<run.count) + Array(0..<min(cursor, run.count))).filter { i in
                keys[i] == key || (lead.map { keys[i].hasPrefix($0) } ?? false)
            }
            // Among lines with the same words, prefer the one with the same first number ("step
            // 100", "epoch 3"), as the update script does.
            let firstNumber = numbers(expected).first?.value
            guard let found = order.first(where: { numbers(run[$0]).first?.value == firstNumber }) ?? order.first else {
                XCTFail("\(folder)/README.md shows a line the program no longer prints:\n  \(expected)\noutput:\n\(out.text)", file: file, line: line)
                continue
            }
            cursor = found + 1
            if isVarying { continue }
            let want = numbers(expected), got = numbers(run[found])
            guard want.count == got.count else { continue }  // same skeleton implies same count
            for (w, g) in zip(want, got) {
                let tolerance = max(2 * pow(10, -Double(w.decimals)), 1e-3 * abs(w.value))
                let agree = w.value == g.value || (w.value.isNaN && g.value.isNaN) || abs(w.value - g.value) <= tolerance
                XCTAssert(agree, "\(folder)/README.md shows\n  \(expected)\nbut the program prints\n  \(run[found])", file: file, line: line)
            }
        }
    }
}
