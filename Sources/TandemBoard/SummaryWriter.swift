import Foundation
import TandemKernels
import TandemProtos

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes TensorBoard event files (`torch.utils.tensorboard.SummaryWriter`, `tf.summary`).
///
/// One writer owns one file, `events.out.tfevents.<seconds>.<host>` in `logDir`, in TensorBoard's
/// record format. Give each run its own directory (`runs/eager`, `runs/graph`): TensorBoard shows
/// every run's curve of one tag in one chart, so two frontends' losses sit side by side.
///
/// Values are buffered and written by ``flush()`` (called every 64 KiB, and by ``close()``, and
/// when the writer is released); TensorBoard reads a file while it grows. The writer is reachable
/// from either frontend: `TandemEager` and `TandemGraph` both re-export `TandemBoard`.
///
/// ```swift
/// let writer = try SummaryWriter(logDir: URL(fileURLWithPath: "runs/eager"))
/// for step in 0..<100 { writer.addScalar("loss", loss, step: step) }
/// writer.close()
/// ```
///
/// Errors: bad arguments (a NaN in a histogram, writing after `close`) and failed writes are
/// reported as Tandem errors are: thrown by an enclosing `checked { }`, otherwise they stop the
/// program with the message.
public final class SummaryWriter {
    /// The directory the event file is in.
    public let logDir: URL
    /// The event file.
    public let fileURL: URL
    /// Whether ``close()`` has run.
    public private(set) var isClosed = false
    /// The first failed write, if any (it has also been reported).
    public private(set) var writeError: TandemError?

    private let handle: FileHandle
    private var pending = Data()
    private static let flushThreshold = 64 * 1024

    /// Creates `logDir` (and its parents) if needed and starts a new event file in it.
    ///
    /// - Parameters:
    ///   - logDir: the run's directory.
    ///   - file: the source file named in errors (defaults to the caller's).
    ///   - line: the source line named in errors (defaults to the caller's).
    /// - Throws: `TandemError.file` when the directory or the file cannot be created.
    public init(logDir: URL, file: StaticString = #fileID, line: UInt = #line) throws {
        self.logDir = logDir
        do {
            try FileManager.default.createDirectory(at: logDir, withIntermediateDirectories: true)
        } catch {
            throw TandemError.file(path: logDir.path, reason: "cannot create the log directory (\(error.localizedDescription))")
        }
        let now = Date().timeIntervalSince1970
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "localhost"
        let base = "events.out.tfevents.\(String(format: "%010d", Int(now))).\(host)"
        var url = logDir.appendingPathComponent(base)
        var suffix = 1
        // Two writers started in one second in one directory get distinct files.
        while FileManager.default.fileExists(atPath: url.path) {
            url = logDir.appendingPathComponent("\(base).\(suffix)")
            suffix += 1
        }
        guard FileManager.default.createFile(atPath: url.path, contents: nil),
            let handle = FileHandle(forWritingAtPath: url.path)
        else {
            throw TandemError.file(path: url.path, reason: "cannot create the event file")
        }
        self.fileURL = url
        self.handle = handle
        var first = Tensorboard_Event()
        first.wallTime = now
        first.fileVersion = "brain.Event:2"
        do {
            try handle.write(contentsOf: RecordFile.record(try first.serializedData()))
        } catch {
            try? handle.close()
            isClosed = true
            throw TandemError.file(path: url.path, reason: "cannot be written (\(error.localizedDescription))")
        }
    }

    deinit {
        if !isClosed { close() }
    }

    /// Logs one value of the curve `tag` (`add_scalar`).
    ///
    /// - Parameters:
    ///   - tag: the curve's name; slashes group curves (`loss/train`).
    ///   - value: the value at `step` (NaN and infinities are written as they are).
    ///   - step: the x coordinate, usually the global step.
    ///   - file: the source file named in errors (defaults to the caller's).
    ///   - line: the source line named in errors (defaults to the caller's).
    public func addScalar(_ tag: String, _ value: Float, step: Int, file: StaticString = #fileID, line: UInt = #line) {
        var summaryValue = Tensorboard_Summary.Value()
        summaryValue.tag = tag
        summaryValue.simpleValue = value
        append(summary: summaryValue, step: step, location: SourceLocation(file, line))
    }

    /// Logs the distribution of `values` (`add_histogram`), in TensorFlow's default buckets.
    ///
    /// - Parameters:
    ///   - tag: the histogram's name.
    ///   - values: any array; every element counts once.
    ///   - step: the x coordinate, usually the global step.
    ///   - file: the source file named in errors (defaults to the caller's).
    ///   - line: the source line named in errors (defaults to the caller's).
    public func addHistogram(
        _ tag: String, _ values: NDArray, step: Int, file: StaticString = #fileID, line: UInt = #line
    ) {
        let location = SourceLocation(file, line)
        let scalars = values.contiguous().scalars
        guard !scalars.isEmpty, scalars.allSatisfy(\.isFinite) else {
            ErrorScope.report(.invalidValue(
                op: "SummaryWriter.addHistogram",
                reason: "'\(tag)' needs finite values; got an array of shape \(formatShape(values.shape))"
                    + (scalars.isEmpty ? " with no elements" : " containing NaN or infinity"),
                location: location))
            return
        }
        var summaryValue = Tensorboard_Summary.Value()
        summaryValue.tag = tag
        summaryValue.histo = Histogram(scalars).proto
        append(summary: summaryValue, step: step, location: location)
    }

    /// Appends a serialized `GraphDef` for TensorBoard's graph tab (see ``GraphStructure``).
    ///
    /// - Parameters:
    ///   - structure: the graph's nodes, edges and shapes.
    ///   - file: the source file named in errors (defaults to the caller's).
    ///   - line: the source line named in errors (defaults to the caller's).
    public func addGraph(_ structure: GraphStructure, file: StaticString = #fileID, line: UInt = #line) {
        let location = SourceLocation(file, line)
        do {
            var event = Tensorboard_Event()
            event.wallTime = Date().timeIntervalSince1970
            event.graphDef = try structure.graphDef.serializedData()
            append(event, location: location)
        } catch {
            report(.file(path: fileURL.path, reason: "the graph could not be serialized (\(error))"))
        }
    }

    /// Writes everything logged so far to disk (and asks the system to store it).
    public func flush() {
        guard !pending.isEmpty, !isClosed else { return }
        do {
            try handle.write(contentsOf: pending)
            try handle.synchronize()
            pending.removeAll(keepingCapacity: true)
        } catch {
            pending.removeAll()
            report(.file(path: fileURL.path, reason: "cannot be written (\(error.localizedDescription))"))
        }
    }

    /// Flushes and closes the file; later `add` calls are errors. Closing twice does nothing.
    public func close() {
        guard !isClosed else { return }
        flush()
        try? handle.close()
        isClosed = true
    }

    // MARK: Records

    private func append(summary value: Tensorboard_Summary.Value, step: Int, location: SourceLocation) {
        var event = Tensorboard_Event()
        event.wallTime = Date().timeIntervalSince1970
        event.step = Int64(step)
        event.summary.value = [value]
        append(event, location: location)
    }

    private func append(_ event: Tensorboard_Event, location: SourceLocation) {
        guard !isClosed else {
            ErrorScope.report(.invalidValue(
                op: "SummaryWriter", reason: "the writer of \(fileURL.path) is closed", location: location))
            return
        }
        do {
            pending.append(RecordFile.record(try event.serializedData()))
        } catch {
            report(.file(path: fileURL.path, reason: "an event could not be serialized (\(error))"))
            return
        }
        if pending.count >= Self.flushThreshold { flush() }
    }

    private func report(_ error: TandemError) {
        if writeError == nil { writeError = error }
        ErrorScope.report(error)
    }
}
