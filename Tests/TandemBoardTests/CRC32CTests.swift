import XCTest
@testable import TandemBoard

/// CRC-32C against the published check value and RFC 3720's test vectors (section B.4).
final class CRC32CTests: XCTestCase {
    func testKnownVectors() {
        XCTAssertEqual(CRC32C.checksum(Array("123456789".utf8)), 0xE306_9283)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0, count: 32)), 0x8A91_36AA)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)), 0x62A8_AB43)
        XCTAssertEqual(CRC32C.checksum((0..<32).map(UInt8.init)), 0x46DD_794E)
        XCTAssertEqual(CRC32C.checksum((0..<32).map { UInt8(31 - $0) }), 0x113F_DB5C)
        XCTAssertEqual(CRC32C.checksum([UInt8]()), 0)
    }

    func testMaskIsTensorFlowsRotateAndAdd() {
        let crc: UInt32 = 0xE306_9283
        let rotated = (crc >> 15) | (crc << 17)
        XCTAssertEqual(CRC32C.masked(Array("123456789".utf8)), rotated &+ 0xA282_EAD8)
    }
}
