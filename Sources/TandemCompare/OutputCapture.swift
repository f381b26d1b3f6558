import Foundation

/// Runs `body` with standard output and standard error redirected to a temporary file and returns
/// what was written, so fault programs can check what a user would have seen (a printed value, a
/// warning) without cluttering the terminal.
func captureOutput<R>(_ body: () throws -> R) rethrows -> (result: R, output: String) {
    fflush(stdout)
    fflush(stderr)
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-capture-\(UUID().uuidString)").path
    let fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o600)
    guard fd >= 0 else { return (try body(), "") }
    let savedOut = dup(1), savedErr = dup(2)
    dup2(fd, 1)
    dup2(fd, 2)
    defer {
        close(fd)
        unlink(path)
    }
    func restore() {
        fflush(stdout)
        fflush(stderr)
        dup2(savedOut, 1)
        dup2(savedErr, 2)
        close(savedOut)
        close(savedErr)
    }
    let result: R
    do {
        result = try body()
    } catch {
        restore()
        throw error
    }
    restore()
    let output = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    return (result, output)
}

/// The source location of the caller: put it on the same line as a faulty op
/// (`let y = x.log(); let fault = here()`) to know which `File.swift:LINE` a message should name.
func here(file: StaticString = #fileID, line: UInt = #line) -> SourceLocation { SourceLocation(file, line) }

/// Small deterministic batches for the fault programs: `[64, features]` inputs and labels.
func faultBatches(steps: Int, features: Int = 784, batch: Int = 64) -> [(NDArray, [Int])] {
    let generator = Generator(seed: 7)
    return (0..<steps).map { _ in
        let x = NDArray(shape: [batch, features], scalars: generator.uniform(count: batch * features))
        let y = generator.uniform(count: batch).map { min(Int($0 * 10), 9) }
        return (x, y)
    }
}

/// PyTorch-style initial weights `[out, in]` and bias `[out]`.
func faultWeights(_ outFeatures: Int, _ inFeatures: Int, seed: UInt64 = 3) -> (weight: NDArray, bias: NDArray) {
    let generator = Generator(seed: seed &+ UInt64(outFeatures * 1000 + inFeatures))
    return (Initializer.kaimingUniform([outFeatures, inFeatures], generator: generator),
        Initializer.biasUniform(outFeatures, fanIn: inFeatures, generator: generator))
}

/// Tracks what a fault program showed: errors and warnings, and the phase in which they appeared.
final class FaultProbe {
    var phase: DetectionTime = .construction
    var observation = Observation()
    private let warnings: () -> [String]
    private var seen: Int

    /// - Parameter warnings: reads the frontend's warning list (new entries are attributed to the
    ///   current phase).
    init(warnings: @escaping () -> [String]) {
        self.warnings = warnings
        self.seen = warnings().count
    }

    /// Attributes new warnings to the current phase.
    func collect() {
        let all = warnings()
        for warning in all.dropFirst(seen) { observation.warnings.append((warning, phase)) }
        seen = all.count
    }

    /// Marks the end of model construction.
    func startRunning() {
        collect()
        phase = .run
    }

    private var debugLines: Set<UInt> = []

    /// Runs a line the user adds only to see the problem (a debug mode, a print) and counts it:
    /// the verdict's `linesNeeded` is the number of distinct such lines the program ran, counted
    /// from the program itself rather than typed into the verdict.
    func debug<R>(line: UInt = #line, _ body: () throws -> R) rethrows -> R {
        debugLines.insert(line)
        observation.debugLines = debugLines.count
        return try body()
    }

    /// Records an error thrown by the program.
    func record(_ error: Error) {
        collect()
        let tandem = error as? TandemError ?? .autograd(reason: "\(error)", location: nil)
        observation.errors.append((tandem, phase))
    }
}
