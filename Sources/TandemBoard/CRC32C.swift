/// CRC-32C (Castagnoli), the checksum of TensorBoard's record format (TFRecord).
///
/// The reflected polynomial 0x82F63B78, initial value and final XOR 0xFFFFFFFF, as RFC 3720
/// (iSCSI) and TensorFlow's `crc32c.h` define it: `crc32c("123456789") == 0xE3069283`.
public enum CRC32C {
    /// The 256 entries of the byte-at-a-time table.
    private static let table: [UInt32] = (0..<256).map { byte in
        var crc = UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        return crc
    }

    /// The CRC-32C of `bytes`.
    ///
    /// - Parameter bytes: the data to checksum.
    public static func checksum<Bytes: Sequence>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }

    /// The masked CRC-32C that TFRecord files store: `((crc >> 15) | (crc << 17)) + 0xa282ead8`.
    ///
    /// Masking keeps a CRC of data that itself contains CRCs from being a CRC of a CRC, which is
    /// weak (TensorFlow's `crc32c::Mask`).
    ///
    /// - Parameter bytes: the data to checksum.
    public static func masked<Bytes: Sequence>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
        let crc = checksum(bytes)
        return ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
    }
}
