import Foundation
import XCTest
@testable import TandemCompare

final class ResidentMemoryTests: XCTestCase {
    func testReadsAPlausibleResidentSetSize() throws {
        let reading = try XCTUnwrap(ResidentMemory.current())
        // A test process with Foundation and XCTest loaded is more than 1 MB and less than the machine.
        XCTAssertGreaterThan(reading.bytes, 1_000_000)
        XCTAssertLessThan(reading.bytes, Int(ProcessInfo.processInfo.physicalMemory))
        #if os(Linux)
        XCTAssertEqual(reading.source, .statm)
        #endif
    }

    func testSeesTouchedMemoryGrowTheResidentSet() throws {
        #if os(Linux)
        let before = try XCTUnwrap(ResidentMemory.statmResidentBytes())
        let count = 64 << 20
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: count)
        defer { buffer.deallocate() }
        // Touch every page so it becomes resident.
        for offset in stride(from: 0, to: count, by: 4096) { buffer[offset] = UInt8(truncatingIfNeeded: offset >> 12) }
        let after = try XCTUnwrap(ResidentMemory.statmResidentBytes())
        XCTAssertGreaterThan(after - before, 48 << 20, "64 MiB touched, RSS \(before) -> \(after)")
        // The peak from getrusage covers the touched pages too. Linux batches each thread's RSS
        // counters, so the two readings may disagree by a few hundred KiB: allow 1 MiB.
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(ResidentMemory.peakResidentBytes()), after - (1 << 20))
        XCTAssertGreaterThan(try XCTUnwrap(ResidentMemory.peakResidentBytes()), before + (48 << 20))
        #else
        throw XCTSkip("/proc/self/statm is Linux only")
        #endif
    }
}
