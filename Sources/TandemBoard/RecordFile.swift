import Foundation
import TandemKernels

/// TensorBoard's record framing (TFRecord), shared by the writer and the reader.
///
/// Each record is: the data's length as a little-endian `UInt64`, the masked CRC-32C of those 8
/// bytes (`UInt32`, little-endian), the data, and the masked CRC-32C of the data.
public enum RecordFile {
    /// One record framing `payload`.
    ///
    /// - Parameter payload: the serialized message.
    public static func record(_ payload: Data) -> Data {
        var out = Data(capacity: payload.count + 16)
        let length = littleEndianBytes(UInt64(payload.count))
        out.append(contentsOf: length)
        out.append(contentsOf: littleEndianBytes(CRC32C.masked(length)))
        out.append(payload)
        out.append(contentsOf: littleEndianBytes(CRC32C.masked(payload)))
        return out
    }

    /// The payloads of every record in `data`, each checked against its two CRCs.
    ///
    /// - Parameters:
    ///   - data: a whole file's contents.
    ///   - path: the file's path, named in errors.
    /// - Throws: `TandemError.file` for a truncated record or a CRC that does not match.
    public static func records(in data: Data, path: String) throws(TandemError) -> [Data] {
        let bytes = [UInt8](data)
        var records: [Data] = []
        var offset = 0
        while offset < bytes.count {
            guard bytes.count - offset >= 12 else {
                throw .file(path: path, reason: "truncated record header at byte \(offset)")
            }
            let lengthBytes = bytes[offset..<(offset + 8)]
            guard readUInt32(bytes, at: offset + 8) == CRC32C.masked(lengthBytes) else {
                throw .file(path: path, reason: "length CRC mismatch in the record at byte \(offset)")
            }
            let length = readUInt64(bytes, at: offset)
            let start = offset + 12
            guard length <= UInt64(bytes.count - start), bytes.count - start - Int(length) >= 4 else {
                throw .file(path: path, reason: "truncated record at byte \(offset) (length \(length))")
            }
            let end = start + Int(length)
            let payload = bytes[start..<end]
            guard readUInt32(bytes, at: end) == CRC32C.masked(payload) else {
                throw .file(path: path, reason: "data CRC mismatch in the record at byte \(offset)")
            }
            records.append(Data(payload))
            offset = end + 4
        }
        return records
    }

    private static func littleEndianBytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        (0..<(T.bitWidth / 8)).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
    }

    private static func readUInt64(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << ($1 * 8) }
    }

    private static func readUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << ($1 * 8) }
    }
}
