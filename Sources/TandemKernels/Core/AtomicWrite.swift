import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes `data` to `url` atomically: to a temporary file in the same directory, flushed to disk
/// (fsync), then renamed over `url`, so a crash or a full disk never leaves a half-written file
/// under the real name (a rename within one file system is atomic, which is why the temporary file
/// sits beside `url`; the fsync keeps a power loss from renaming a file whose data never reached disk).
///
/// Every file Tandem writes (state dicts, graph files, reports) goes through this function.
///
/// - Parameters:
///   - data: the complete contents.
///   - url: the destination; an existing file is replaced.
///   - createDirectory: create the destination's directory (and its parents) when missing.
/// - Throws: `TandemError.file` naming `url` when the file cannot be written or moved into place;
///   the temporary file is removed.
///
/// ```swift
/// try writeAtomically(Data(report.utf8), to: URL(fileURLWithPath: "out/report.html"), createDirectory: true)
/// ```
public func writeAtomically(_ data: Data, to url: URL, createDirectory: Bool = false) throws(TandemError) {
    let directory = url.deletingLastPathComponent()
    let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
    do {
        if createDirectory { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) }
        try data.write(to: temporary)
        let handle = try FileHandle(forWritingTo: temporary)
        defer { try? handle.close() }
        try handle.synchronize()
    } catch {
        try? FileManager.default.removeItem(at: temporary)
        throw .file(path: url.path, reason: "cannot be written (\(error.localizedDescription))")
    }
    guard rename(temporary.path, url.path) == 0 else {
        let reason = String(cString: strerror(errno))
        try? FileManager.default.removeItem(at: temporary)
        throw .file(path: url.path, reason: "cannot be written (moving the temporary file into place failed: \(reason))")
    }
}
