import XCTest
@testable import TandemBoard

final class RecordFileTests: XCTestCase {
    func testFramingByteByByte() {
        let payload = Data("abc".utf8)
        let record = [UInt8](RecordFile.record(payload))
        XCTAssertEqual(record.count, 8 + 4 + 3 + 4)
        XCTAssertEqual(Array(record[0..<8]), [3, 0, 0, 0, 0, 0, 0, 0])  // little-endian length
        let lengthCRC = CRC32C.masked([UInt8]([3, 0, 0, 0, 0, 0, 0, 0]))
        XCTAssertEqual(Array(record[8..<12]), (0..<4).map { UInt8(truncatingIfNeeded: lengthCRC >> ($0 * 8)) })
        XCTAssertEqual(Array(record[12..<15]), Array("abc".utf8))
        let dataCRC = CRC32C.masked(Array("abc".utf8))
        XCTAssertEqual(Array(record[15..<19]), (0..<4).map { UInt8(truncatingIfNeeded: dataCRC >> ($0 * 8)) })
    }

    func testRecordsRoundTripAndCorruptionIsAnError() throws {
        let payloads = [Data("first".utf8), Data(), Data((0..<300).map { UInt8($0 % 251) })]
        var file = Data()
        for p in payloads { file.append(RecordFile.record(p)) }
        XCTAssertEqual(try RecordFile.records(in: file, path: "f"), payloads)

        var flipped = file
        flipped[14] ^= 0x01  // a byte of the first payload
        XCTAssertThrowsError(try RecordFile.records(in: flipped, path: "f")) { error in
            XCTAssertTrue("\(error)".contains("data CRC mismatch"), "\(error)")
        }
        XCTAssertThrowsError(try RecordFile.records(in: file.dropLast(2), path: "f")) { error in
            XCTAssertTrue("\(error)".contains("truncated"), "\(error)")
        }
        var hugeLength = RecordFile.record(Data("x".utf8))
        hugeLength[7] = 0x7F  // a length near 2^63 with a header CRC that no longer matches
        XCTAssertThrowsError(try RecordFile.records(in: hugeLength, path: "f"))
    }
}
