import TandemKernels
import XCTest

/// Allocator accounting (`Core/MemoryStats.swift`, `Core/Storage.swift`).
final class MemoryStatsTests: XCTestCase {
    func testLiveBytesFollowAllocationAndRelease() {
        let before = MemoryStats.liveBytes
        let allocationsBefore = MemoryStats.allocationCount
        var array: NDArray? = NDArray(zeros: [250, 4])
        XCTAssertEqual(MemoryStats.liveBytes - before, 4 * 1000)
        XCTAssertEqual(MemoryStats.allocationCount - allocationsBefore, 1)
        XCTAssertEqual(array?.count, 1000)
        array = nil
        XCTAssertEqual(MemoryStats.liveBytes, before)
    }

    func testViewsAllocateNothing() {
        let a = NDArray(zeros: [10, 10])
        let before = MemoryStats.liveBytes
        let views = [a.reshaped([100]), a.transposed(0, 1), a.reshaped([1, 10, 10]).broadcast(to: [3, 10, 10])]
        XCTAssertEqual(MemoryStats.liveBytes, before)
        XCTAssertEqual(views.count, 3)
        var copy = a
        XCTAssertEqual(MemoryStats.liveBytes, before)
        copy[0, 0] = 1  // copy-on-write: now a second buffer
        XCTAssertEqual(MemoryStats.liveBytes - before, 400)
    }

    func testPeakAndResetPeak() {
        MemoryStats.resetPeak()
        let base = MemoryStats.liveBytes
        XCTAssertEqual(MemoryStats.peakBytes, base)
        do {
            let big = NDArray(zeros: [1024])
            XCTAssertEqual(MemoryStats.peakBytes, base + 4096)
            _ = big.count
        }
        XCTAssertEqual(MemoryStats.liveBytes, base)
        XCTAssertEqual(MemoryStats.peakBytes, base + 4096, "the peak remembers the freed buffer")
        MemoryStats.resetPeak()
        XCTAssertEqual(MemoryStats.peakBytes, base)
    }

    func testEmptyArraysCountZeroBytes() {
        let before = MemoryStats.liveBytes
        let empty = NDArray(zeros: [0, 5])
        XCTAssertEqual(MemoryStats.liveBytes, before)
        XCTAssertEqual(empty.count, 0)
    }
}
