import Foundation
import XCTest
@testable import TandemGraph

final class MemoryPlannerTests: XCTestCase {
    /// A graph with a chain of values whose lifetimes do not overlap.
    func testBuffersAreSharedAcrossDisjointLifetimes() throws {
        let g = Graph()
        let x = g.placeholder(shape: [64, 64], name: "x")
        var h = x
        for _ in 0..<6 { h = h.matmul(x) * 0.01 }
        let out = h.sum()
        let session = Session(graph: g, options: .init(optimizer: .none))
        let feed = [x: NDArray(shape: [64, 64], scalars: testValues(4096))]
        let first = try session.run(out, feed: feed)
        let plan = try session.plan(for: [out], fed: [x])
        // 12 intermediates of 4096 floats; at most two are alive at once.
        XCTAssertLessThanOrEqual(plan.plannedBytes, 2 * 4096 * 4)
        let before = MemoryStats.allocationCount
        let second = try session.run(out, feed: feed)
        XCTAssertEqual(first, second)
        XCTAssertLessThanOrEqual(MemoryStats.allocationCount - before, 1)  // the fetched scalar
    }

    func testViewsKeepTheirBufferAlive() throws {
        // transpose is a view of exp's buffer; exp's buffer must not be reused while it lives.
        let g = Graph()
        let x = g.placeholder(shape: [3, 2], name: "x")
        let e = x.exp()
        let t = e.transpose(0, 1)
        let y = (x * 2).relu()  // computed while t is alive, same size as exp's buffer
        let z = t.matmul(y)
        let feed = [x: NDArray(shape: [3, 2], scalars: testValues(6))]
        let plain = Session(graph: g, options: .init(optimizer: .none, reuseBuffers: false))
        let planned = Session(graph: g, options: .init(optimizer: .none))
        let expected = try plain.run(z, feed: feed)
        for _ in 0..<3 { XCTAssertEqual(try planned.run(z, feed: feed), expected) }
    }

    func testChangingBatchSizeReplans() throws {
        let g = Graph()
        let x = g.placeholder(shape: [nil, 3], name: "x")
        let y = (x.exp() * 2).sum(dim: 1)
        let session = Session(graph: g, options: .init(optimizer: .none))
        for n in [4, 4, 2, 5, 5] {
            let values = testValues(3 * n)
            let out = try session.run(y, feed: [x: NDArray(shape: [n, 3], scalars: values)])
            let expected = (0..<n).map { r in (0..<3).map { 2 * Foundation.exp(values[r * 3 + $0]) }.reduce(0, +) }
            assertClose(out.scalars, expected)
        }
    }

    func testFetchedValuesAreNotOverwrittenByLaterRuns() throws {
        let g = Graph()
        let x = g.placeholder(shape: [2], name: "x")
        let h = x.exp()
        let y = h * 3
        let session = Session(graph: g)
        let a = try session.run([h, y], feed: [x: NDArray(shape: [2], scalars: [0, 1])])
        _ = try session.run([h, y], feed: [x: NDArray(shape: [2], scalars: [5, 5])])
        assertClose(a[0].scalars, [1, Float(M_E)])
        assertClose(a[1].scalars, [3, 3 * Float(M_E)])
    }
}
