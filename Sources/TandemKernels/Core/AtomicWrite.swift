import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes `data` to `url` atomically and durably: to a temporary file in the same directory,
/// flushed to disk (`fsync`), renamed over `url`, then the directory flushed too, so that a
/// crash, a power cut or a full disk never leaves a half-written file under the real name (a
/// rename within one file system is atomic, which is why the temporary file sits beside `url`).
///
/// The temporary file is `.<name>.<pid>.<uuid>.tmp`. It is removed when the write fails; a
/// temporary left by an earlier save that was killed (its process no longer runs) is removed
/// by the next save to the same name.
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
    let prefix = ".\(url.lastPathComponent)."
    let temporary = directory.appendingPathComponent("\(prefix)\(getpid()).\(UUID().uuidString).tmp")
    func failure(_ what: String) -> TandemError {
        let reason = String(cString: strerror(errno))
        unlink(temporary.path)
        return .file(path: url.path, reason: "cannot be written (\(what): \(reason))")
    }
    if createDirectory {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw .file(path: url.path, reason: "cannot be written (\(error.localizedDescription))")
        }
    }
    removeStaleTemporaries(in: directory, prefix: prefix)
    let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
    guard fd >= 0 else { throw failure("creating the temporary file failed") }
    let written = data.withUnsafeBytes { buffer -> Bool in
        var offset = 0
        while offset < buffer.count {
            let n = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += n
        }
        return true
    }
    guard written else {
        let error = failure("writing failed")
        close(fd)
        throw error
    }
    guard fsync(fd) == 0 else {
        let error = failure("flushing to disk failed")
        close(fd)
        throw error
    }
    guard close(fd) == 0 else { throw failure("closing failed") }
    guard rename(temporary.path, url.path) == 0 else { throw failure("moving the temporary file into place failed") }
    // The rename is durable only once the directory entry is on disk.
    let directoryFD = open(directory.path.isEmpty ? "." : directory.path, O_RDONLY | O_CLOEXEC)
    if directoryFD >= 0 {
        _ = fsync(directoryFD)
        close(directoryFD)
    }
}

/// Removes the temporaries of earlier saves to the same name whose process no longer runs
/// (a save killed between creating and renaming its temporary file).
private func removeStaleTemporaries(in directory: URL, prefix: String) {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return }
    for name in names where name.hasPrefix(prefix) && name.hasSuffix(".tmp") {
        let fields = name.dropFirst(prefix.count).split(separator: ".")
        guard fields.count == 3, let pid = Int32(fields[0]) else { continue }
        // Another running process may be saving right now: only a dead writer's file is stale.
        if pid != getpid() && kill(pid, 0) == -1 && errno == ESRCH {
            unlink(directory.appendingPathComponent(name).path)
        }
    }
}
