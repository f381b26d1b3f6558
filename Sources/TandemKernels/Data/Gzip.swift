import CZlib

/// In-memory gzip decompression through zlib (no temporary files).
///
/// Used by `IDX.read` for the `.gz` files of the MNIST distribution. Every failure (a truncated
/// stream, corrupt deflate data, a bad CRC) becomes a `TandemError.file` naming the file.
enum Gzip {
    /// Whether `bytes` start with the gzip magic number 1f 8b.
    static func isCompressed(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b
    }

    /// Decompresses a complete gzip file (one or more concatenated members, as `cat a.gz b.gz`
    /// produces and `gunzip` accepts).
    ///
    /// - Parameters:
    ///   - compressed: the whole file.
    ///   - path: the file's path, for error messages.
    /// - Returns: the decompressed bytes.
    /// The default bound on a decompressed size (1 GiB; MNIST's largest file is 47 MB): a gzip
    /// bomb (a few kilobytes inflating to gigabytes) is refused instead of exhausting memory.
    static let maximumDecompressedBytes = 1 << 30

    static func decompress(
        _ compressed: [UInt8], path: String, maximumBytes: Int = maximumDecompressedBytes
    ) throws(TandemError) -> [UInt8] {
        func failure(_ reason: String) -> TandemError {
            .file(path: path, reason: "corrupt gzip data: \(reason)")
        }
        guard compressed.count >= 18 else {  // 10-byte header + empty deflate block + 8-byte trailer
            throw .file(path: path, reason: "truncated gzip file (\(compressed.count) bytes)")
        }
        guard compressed.count <= Int(UInt32.max) else {
            throw .file(path: path, reason: "gzip file too large to decompress in one piece")
        }

        // The trailer's ISIZE (size mod 2^32) is a good first guess for the output size. It comes
        // from the file, so a corrupt one is capped by deflate's maximum ratio (about 1032:1).
        let n = compressed.count
        let claimed = Int(compressed[n - 4]) | Int(compressed[n - 3]) << 8
            | Int(compressed[n - 2]) << 16 | Int(compressed[n - 1]) << 24
        var output = [UInt8](repeating: 0, count: max(64, min(claimed, 1032 * n, maximumBytes)))
        var produced = 0

        var stream = z_stream()
        var status = inflateInit2_(&stream, 16 + MAX_WBITS, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw failure("zlib could not start (status \(status))") }
        defer { inflateEnd(&stream) }

        var consumed = 0
        while true {
            // Grow geometrically when the guess was too small (an ISIZE mod 2^32 or a corrupt one).
            if produced == output.count {
                guard produced < maximumBytes else {
                    throw .file(path: path, reason: "gzip data inflates to more than \(maximumBytes) bytes (the reader's bound); refusing it")
                }
                output.append(contentsOf: repeatElement(0, count: min(output.count, maximumBytes - produced)))
            }
            status = compressed.withUnsafeBufferPointer { input in
                output.withUnsafeMutableBufferPointer { out in
                    // zlib never writes through next_in; the mutable pointer is a C API artefact.
                    stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress! + consumed)
                    stream.avail_in = UInt32(input.count - consumed)
                    stream.next_out = out.baseAddress! + produced
                    stream.avail_out = UInt32(min(out.count - produced, Int(UInt32.max)))
                    let before = (stream.avail_in, stream.avail_out)
                    let result = inflate(&stream, Z_NO_FLUSH)
                    consumed += Int(before.0 - stream.avail_in)
                    produced += Int(before.1 - stream.avail_out)
                    return result
                }
            }
            switch status {
            case Z_STREAM_END:
                // Another member may follow; anything else after the trailer is not gzip.
                if consumed == n { return Array(output[0..<produced]) }
                if n - consumed >= 2 && compressed[consumed] == 0x1f && compressed[consumed + 1] == 0x8b {
                    inflateReset(&stream)
                    continue
                }
                throw failure("\(n - consumed) unexpected bytes after the end of the gzip stream")
            case Z_OK:
                continue
            case Z_BUF_ERROR:
                // No progress possible: either the output is full (grow and retry) or the input
                // ended before the stream did.
                if produced == output.count { continue }
                throw .file(path: path, reason: "truncated gzip file (the compressed stream ends early)")
            default:
                let message = stream.msg.map { String(cString: $0) } ?? "zlib status \(status)"
                throw failure(message)
            }
        }
    }
}
