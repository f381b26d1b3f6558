import Foundation
import TandemKernels
import TandemProtos

/// Reads TensorBoard event files back: every record checked against its CRCs and parsed.
///
/// ```swift
/// let losses = try EventFile.scalars(in: writer.fileURL, tag: "loss")   // [(step: 0, value: 2.31), ...]
/// ```
public enum EventFile {
    /// Every event in the file, in order (the first is the `brain.Event:2` file version).
    ///
    /// - Parameter url: an `events.out.tfevents.*` file.
    /// - Throws: `TandemError.file` when the file is missing, truncated, corrupt or not events.
    public static func events(in url: URL) throws -> [Tensorboard_Event] {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw TandemError.file(path: url.path, reason: "cannot be read")
        }
        return try RecordFile.records(in: data, path: url.path).enumerated().map { index, payload in
            do {
                return try Tensorboard_Event(serializedBytes: payload)
            } catch {
                throw TandemError.file(path: url.path, reason: "record \(index) is not an Event (\(error))")
            }
        }
    }

    /// The `(step, value)` points of the scalar curve `tag`, in the order written.
    ///
    /// - Parameters:
    ///   - url: an `events.out.tfevents.*` file.
    ///   - tag: the curve's name, as given to `addScalar`.
    /// - Throws: `TandemError.file` when the file cannot be read (see ``events(in:)``).
    public static func scalars(in url: URL, tag: String) throws -> [(step: Int, value: Float)] {
        try events(in: url).flatMap { event in
            event.summary.value.filter { $0.tag == tag && isScalar($0) }
                .map { (step: Int(event.step), value: $0.simpleValue) }
        }
    }

    /// The event files (`*tfevents*`) in `directory`, oldest name first.
    ///
    /// - Parameter directory: a run's log directory.
    public static func files(in directory: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.contains("tfevents") }.sorted().map { directory.appendingPathComponent($0) }
    }

    private static func isScalar(_ value: Tensorboard_Summary.Value) -> Bool {
        if case .simpleValue = value.value { return true }
        return false
    }
}
