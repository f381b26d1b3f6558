import CZlib
import Foundation
import XCTest

@testable import TandemKernels

/// IDX parsing, plain and gzip, and every way a file can be bad.
final class IDXTests: XCTestCase {
    /// A hand-built unsigned-byte IDX file: the header written out byte by byte, then the data.
    static func idxFile(shape: [Int], data: [UInt8], type: UInt8 = 0x08) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, type, UInt8(shape.count)]
        for size in shape {
            bytes += [UInt8(size >> 24 & 0xff), UInt8(size >> 16 & 0xff), UInt8(size >> 8 & 0xff), UInt8(size & 0xff)]
        }
        return bytes + data
    }

    /// Gzip-compresses with zlib's deflate (window bits 16 + 15 asks zlib for the gzip wrapper).
    static func gzip(_ bytes: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        let status = deflateInit2_(
            &stream, Z_BEST_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY,
            zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        precondition(status == Z_OK)
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))) + 32)
        var input = bytes
        let produced = input.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { destination in
                stream.next_in = source.baseAddress
                stream.avail_in = UInt32(source.count)
                stream.next_out = destination.baseAddress
                stream.avail_out = UInt32(destination.count)
                precondition(deflate(&stream, Z_FINISH) == Z_STREAM_END)
                return destination.count - Int(stream.avail_out)
            }
        }
        return Array(output[0..<produced])
    }

    /// Asserts that `body` throws `TandemError.file` whose reason contains `fragment`.
    static func assertFileError(
        _ fragment: String, path: String? = nil, file: StaticString = #filePath, line: UInt = #line,
        _ body: () throws -> Void
    ) {
        do {
            try body()
            XCTFail("expected a file error mentioning '\(fragment)'", file: file, line: line)
        } catch let TandemError.file(errorPath, reason) {
            XCTAssertTrue(reason.contains(fragment), "reason '\(reason)' lacks '\(fragment)'", file: file, line: line)
            if let path { XCTAssertEqual(errorPath, path, file: file, line: line) }
        } catch {
            XCTFail("expected TandemError.file, got \(error)", file: file, line: line)
        }
    }

    private var temporaryDirectory: URL!

    override func setUpWithError() throws {
        temporaryDirectory = FileManager.default.temporaryDirectory
            .appendingPathComponent("tandem-idx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: temporaryDirectory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: temporaryDirectory)
    }

    // MARK: Reading

    /// Regression (found by the IDX fuzzer): a 0 among the dimensions hid a product of the
    /// others that overflows; the file parsed, and making its array would then fail.
    func testAZeroDimensionDoesNotHideHugeOnes() {
        let file = IDXTests.idxFile(shape: [534_815, 2_332_033_024, 0, 221_955, 268_477_865], data: [])
        IDXTests.assertFileError("hold too many elements") { _ = try IDX.parse(file, path: "crafted.idx") }
        XCTAssertEqual(try IDX.parse(IDXTests.idxFile(shape: [0, 28, 28], data: []), path: "empty.idx").shape, [0, 28, 28])
    }

    func testAGzipBombIsRefusedAtTheBound() throws {
        // 1 MiB of zeros compresses to about a kilobyte: with a 64 KiB bound the reader stops
        // at the bound instead of inflating the whole stream (the default bound is 1 GiB).
        let bomb = IDXTests.gzip(IDXTests.idxFile(shape: [1 << 20], data: [UInt8](repeating: 0, count: 1 << 20)))
        XCTAssertLessThan(bomb.count, 4096)
        IDXTests.assertFileError("inflates to more than 65536 bytes", path: "bomb.gz") {
            _ = try Gzip.decompress(bomb, path: "bomb.gz", maximumBytes: 65536)
        }
        XCTAssertEqual(try Gzip.decompress(bomb, path: "bomb.gz", maximumBytes: (1 << 20) + 8).count, (1 << 20) + 8)
        XCTAssertLessThanOrEqual(Gzip.maximumDecompressedBytes, 1 << 30)
    }

    func testParsesPlainFile() throws {
        let data: [UInt8] = [0, 1, 2, 3, 4, 250, 251, 252, 253, 254, 255, 128]
        let parsed = try IDX.parse(Self.idxFile(shape: [2, 3, 2], data: data), path: "plain")
        XCTAssertEqual(parsed.shape, [2, 3, 2])
        XCTAssertEqual(parsed.bytes, data)
    }

    func testParsesLargeDimensionsBigEndian() throws {
        // 258 = 0x0102 exercises both header bytes of a size.
        let data = (0..<258).map { UInt8($0 % 256) }
        let parsed = try IDX.parse(Self.idxFile(shape: [258], data: data), path: "big-endian")
        XCTAssertEqual(parsed.shape, [258])
        XCTAssertEqual(parsed.bytes, data)
    }

    func testParsesGzipFile() throws {
        let data = (0..<1000).map { UInt8(($0 * 7) % 256) }
        let compressed = Self.gzip(Self.idxFile(shape: [10, 100], data: data))
        XCTAssertEqual(Array(compressed.prefix(2)), [0x1f, 0x8b])
        let parsed = try IDX.parse(compressed, path: "gzip")
        XCTAssertEqual(parsed.shape, [10, 100])
        XCTAssertEqual(parsed.bytes, data)
    }

    func testParsesConcatenatedGzipMembers() throws {
        // `cat a.gz b.gz` is valid gzip and decompresses to the concatenation.
        let file = Self.idxFile(shape: [4, 5], data: (0..<20).map { UInt8($0) })
        let compressed = Self.gzip(Array(file[0..<10])) + Self.gzip(Array(file[10...]))
        XCTAssertEqual(try IDX.parse(compressed, path: "members").bytes, (0..<20).map { UInt8($0) })
    }

    func testReadsFileFromDisk() throws {
        let url = temporaryDirectory.appendingPathComponent("x-idx2-ubyte.gz")
        try Data(Self.gzip(Self.idxFile(shape: [2, 2], data: [9, 8, 7, 6]))).write(to: url)
        let parsed = try IDX.read(url)
        XCTAssertEqual(parsed.shape, [2, 2])
        XCTAssertEqual(parsed.bytes, [9, 8, 7, 6])
    }

    // MARK: Rejecting

    func testRejectsMissingFile() {
        let url = temporaryDirectory.appendingPathComponent("absent-idx1-ubyte")
        Self.assertFileError("not found", path: url.path) { _ = try IDX.read(url) }
    }

    func testRejectsTruncatedData() {
        let file = Self.idxFile(shape: [3, 4], data: [UInt8](repeating: 1, count: 12))
        Self.assertFileError("truncated", path: "short") { _ = try IDX.parse(Array(file.dropLast(5)), path: "short") }
    }

    func testRejectsTruncatedHeader() {
        let file = Self.idxFile(shape: [3, 4], data: [])
        Self.assertFileError("truncated") { _ = try IDX.parse(Array(file.prefix(9)), path: "header") }
        Self.assertFileError("truncated") { _ = try IDX.parse([0, 0], path: "tiny") }
        Self.assertFileError("truncated") { _ = try IDX.parse([], path: "empty") }
    }

    func testRejectsExtraBytes() {
        let file = Self.idxFile(shape: [2], data: [1, 2, 3])
        Self.assertFileError("beyond") { _ = try IDX.parse(file, path: "long") }
    }

    func testRejectsWrongMagic() {
        var file = Self.idxFile(shape: [2], data: [1, 2])
        file[0] = 0x50  // as if a PNG or text file
        Self.assertFileError("magic") { _ = try IDX.parse(file, path: "magic") }
    }

    func testRejectsNonByteType() {
        let file = Self.idxFile(shape: [1], data: [0, 0, 0, 0], type: 0x0D)  // float32 IDX
        Self.assertFileError("0x0d") { _ = try IDX.parse(file, path: "float") }
    }

    func testRejectsZeroDimensions() {
        Self.assertFileError("0 dimensions") { _ = try IDX.parse([0, 0, 8, 0], path: "rank0") }
    }

    func testRejectsDimensionsTooLargeWithoutAllocating() {
        // Sizes of 2^32 - 1 multiply past Int.max: an error, not an overflow trap.
        let header: [UInt8] = [0, 0, 8, 3] + [UInt8](repeating: 0xff, count: 12)
        Self.assertFileError("too many") { _ = try IDX.parse(header, path: "huge") }
    }

    func testRejectsTruncatedGzip() {
        let compressed = Self.gzip(Self.idxFile(shape: [100], data: (0..<100).map { UInt8($0) }))
        for keep in [2, 12, compressed.count / 2, compressed.count - 1] {
            Self.assertFileError("truncated") { _ = try IDX.parse(Array(compressed.prefix(keep)), path: "cut") }
        }
    }

    func testRejectsCorruptGzip() {
        var compressed = Self.gzip(Self.idxFile(shape: [100], data: (0..<100).map { UInt8($0 * 3 % 256) }))
        compressed[compressed.count - 12] ^= 0xff  // in the deflate data or the CRC: either is caught
        Self.assertFileError("corrupt gzip") { _ = try IDX.parse(compressed, path: "flipped") }
    }

    func testRejectsGarbageAfterGzipStream() {
        let compressed = Self.gzip(Self.idxFile(shape: [1], data: [7])) + [1, 2, 3]
        Self.assertFileError("unexpected bytes") { _ = try IDX.parse(compressed, path: "trailing") }
    }
}
