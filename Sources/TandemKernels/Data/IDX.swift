import Foundation

/// Reader for the IDX format of the MNIST database (unsigned-byte files).
///
/// An IDX file is two zero bytes, a type byte (0x08 for unsigned bytes), a rank byte, one
/// big-endian 32-bit size per dimension, then the elements in row-major order. The MNIST
/// distribution gzips each file; `read(_:)` accepts either form.
///
/// ```swift
/// let (shape, pixels) = try IDX.read(directory.appendingPathComponent("t10k-images-idx3-ubyte.gz"))
/// // shape == [1000, 28, 28], pixels.count == 784_000
/// ```
public enum IDX {
    /// The type byte of an unsigned-byte IDX file, the only type MNIST uses.
    static let unsignedByteType: UInt8 = 0x08

    /// Reads an IDX file (gzip-compressed when it starts with 1f 8b, plain otherwise).
    ///
    /// - Parameter url: the file to read.
    /// - Returns: the dimensions and the elements in row-major order.
    /// - Throws: `TandemError.file` when the file is missing, truncated, not gzip/IDX, not of
    ///   unsigned-byte type, or when its dimensions disagree with its length.
    public static func read(_ url: URL) throws -> (shape: [Int], bytes: [UInt8]) {
        try parse(readFile(url), path: url.path)
    }

    /// Parses the bytes of an IDX file (gunzipping them first when they start with 1f 8b).
    ///
    /// - Parameters:
    ///   - data: the file's contents.
    ///   - path: the file's path (or any name), used in error messages.
    /// - Returns: the dimensions and the elements in row-major order.
    public static func parse(_ data: [UInt8], path: String) throws -> (shape: [Int], bytes: [UInt8]) {
        let raw = Gzip.isCompressed(data) ? try Gzip.decompress(data, path: path) : data
        return try parsePlain(raw, path: path)
    }

    /// Reads a whole file into memory, naming the file when it is missing or unreadable.
    static func readFile(_ url: URL) throws(TandemError) -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw .file(path: url.path, reason: "file not found")
        }
        guard !isDirectory.boolValue else { throw .file(path: url.path, reason: "is a directory, not a file") }
        do {
            return [UInt8](try Data(contentsOf: url))
        } catch {
            throw .file(path: url.path, reason: "cannot read: \(error.localizedDescription)")
        }
    }

    /// Parses an uncompressed IDX byte array.
    static func parsePlain(_ data: [UInt8], path: String) throws(TandemError) -> (shape: [Int], bytes: [UInt8]) {
        func bad(_ reason: String) -> TandemError { .file(path: path, reason: reason) }
        guard data.count >= 4 else {
            throw bad("truncated IDX file: \(data.count) bytes, shorter than the 4-byte magic number")
        }
        guard data[0] == 0, data[1] == 0 else {
            let magic = data[0..<4].map { String(format: "%02x", $0) }.joined()
            throw bad("not an IDX file: magic number 0x\(magic) does not start with two zero bytes")
        }
        guard data[2] == unsignedByteType else {
            throw bad(
                "unsupported IDX element type 0x\(String(format: "%02x", data[2])) "
                    + "(only unsigned bytes, type 0x08, are supported)")
        }
        let rank = Int(data[3])
        guard rank >= 1 else { throw bad("IDX file declares 0 dimensions") }
        let headerLength = 4 + 4 * rank
        guard data.count >= headerLength else {
            throw bad("truncated IDX file: \(data.count) bytes, but the header of \(rank) dimensions needs \(headerLength)")
        }
        var shape = [Int](repeating: 0, count: rank)
        for axis in 0..<rank {
            let p = 4 + 4 * axis
            shape[axis] = Int(data[p]) << 24 | Int(data[p + 1]) << 16 | Int(data[p + 2]) << 8 | Int(data[p + 3])
        }
        // Checked like every size from input: a 0 must not hide an overflowing product of the
        // other dimensions (found by the IDX fuzzer), which no array could then be made of.
        guard let elementCount = TandemKernels.elementCount(of: shape) else {
            throw bad("IDX dimensions \(formatShape(shape)) hold too many elements")
        }
        let available = data.count - headerLength
        guard available >= elementCount else {
            throw bad(
                "truncated IDX file: dimensions \(formatShape(shape)) need \(elementCount) data bytes "
                    + "but only \(available) follow the header")
        }
        guard available == elementCount else {
            throw bad(
                "IDX file has \(available - elementCount) bytes beyond the \(elementCount) "
                    + "that dimensions \(formatShape(shape)) describe")
        }
        return (shape, Array(data[headerLength...]))
    }
}
