import Foundation
import XCTest
@testable import TandemGraph

/// How a session runs control flow: each sub-graph compiled into its own optimised program with
/// its own memory plan, buffers reused across iterations, records kept only for gradients.
final class ControlFlowStepTests: XCTestCase {
    /// Captured constants become constants inside the body, so folding, scalar ops and fusion
    /// apply there as at the top level; the answer does not change.
    func testPassesRunInsideTheBody() throws {
        let g = Graph()
        let x = g.placeholder(shape: [4], name: "x")
        let scale = g.constant(NDArray(2)) * g.constant(NDArray(0.25))  // folded outside: 0.5
        let out = g.whileLoop(
            condition: { v in isLess(v[0], g.constant(NDArray(3))) },
            body: { v in [v[0] + 1, ((v[1] * scale).exp() * 1 + 0).sqrt()] },
            loopVariables: [g.constant(NDArray(0)), x])
        let optimised = Session(graph: g)
        let plain = Session(graph: g, options: .init(optimizer: .none))
        let feed = [x: NDArray(shape: [4], scalars: [0.1, -0.5, 1, 2])]
        XCTAssertEqual(try optimised.run(out[1], feed: feed), try plain.run(out[1], feed: feed))
        let body = try controlFlowSteps(optimised, [out[1]], fed: [x])[0].subGraphs[1].plan.program
        XCTAssertTrue(body.instructions.contains { $0.op == .fusedElementwise([.mulScalar(0.5), .exp, .sqrt]) },
                      "\(body.instructions.compactMap(\.op))")
        let plainBody = try controlFlowSteps(plain, [out[1]], fed: [x])[0].subGraphs[1].plan.program
        XCTAssertGreaterThan(plainBody.instructions.compactMap(\.op).count, body.instructions.compactMap(\.op).count)
    }

    /// In steady state an iteration allocates only the new loop values: the body's intermediates
    /// live in its plan's buffers, reused every iteration.
    func testTheBodyReusesItsBuffersEveryIteration() throws {
        let g = Graph()
        let x = g.placeholder(shape: [32, 32], name: "x")
        let w = g.placeholder(shape: [32, 32], name: "w")
        let n = g.placeholder(shape: [], name: "n")
        let out = g.whileLoop(
            condition: { v in isLess(v[0], n) },
            body: { v in
                var h = v[1]
                for _ in 0..<4 { h = h.matmul(w) * 0.03 }
                return [v[0] + 1, h]
            },
            loopVariables: [g.constant(NDArray(0)), x])
        let feed = { (trips: Float) in
            [x: NDArray(shape: [32, 32], scalars: testValues(1024, seed: 5)), w: NDArray(shape: [32, 32], scalars: testValues(1024, seed: 6)),
             n: NDArray(trips)]
        }
        func allocations(_ session: Session, trips: Float) throws -> Int {
            try session.run(out[1], feed: feed(trips))  // warm up: plans and buffers exist
            let before = MemoryStats.allocationCount
            try session.run(out[1], feed: feed(trips))
            return MemoryStats.allocationCount - before
        }
        let planned = Session(graph: g, options: .init(optimizer: .none))
        let unplanned = Session(graph: g, options: .init(optimizer: .none, reuseBuffers: false))
        let perIteration = (try allocations(planned, trips: 50) - allocations(planned, trips: 10)) / 40
        let perIterationUnplanned = (try allocations(unplanned, trips: 50) - allocations(unplanned, trips: 10)) / 40
        XCTAssertLessThanOrEqual(perIteration, 3)  // the two loop values (and at most one scalar)
        XCTAssertGreaterThanOrEqual(perIterationUnplanned, perIteration + 4)  // every intermediate allocates
        XCTAssertEqual(try planned.run(out[1], feed: feed(7)), try unplanned.run(out[1], feed: feed(7)))
        // The body's buffers count as the plan's: two 32 x 32 intermediates alive at once.
        XCTAssertEqual(try planned.plan(for: [out[1]], fed: [x, w, n]).plannedBytes, 2 * 1024 * 4)
    }

    /// A loop run for its value keeps nothing per iteration; run with its gradient, it records
    /// the values the backward loop replays, so memory grows with the trip count.
    func testOnlyAGradientMakesTheLoopKeepPerIterationValues() throws {
        let g = Graph()
        let x = g.placeholder(shape: [4096], name: "x")
        let a = g.placeholder(shape: [], name: "a")
        let n = g.placeholder(shape: [], name: "n")
        let out = powerLoop(g, x: x, a: a, n: n)
        let da = g.gradients(of: out[1].sum(), with: [a])[0]
        let session = Session(graph: g)
        func peak(_ fetches: [Node], trips: Float) throws -> Int {
            let feed = [x: NDArray(ones: [4096]), a: NDArray(1), n: NDArray(trips)]
            try session.run(fetches, feed: feed)
            MemoryStats.resetPeak()
            let base = MemoryStats.liveBytes
            try session.run(fetches, feed: feed)
            return MemoryStats.peakBytes - base
        }
        let bytes = 4096 * 4
        let forwardGrowth = try peak([out[1]], trips: 60) - peak([out[1]], trips: 10)
        let gradientGrowth = try peak([da], trips: 60) - peak([da], trips: 10)
        XCTAssertLessThan(forwardGrowth, bytes)  // no record: the same few buffers
        XCTAssertGreaterThanOrEqual(gradientGrowth, 45 * bytes)  // about one x per extra iteration
    }
}

/// Prints inside sub-graphs: they print every time their branch or iteration runs, when on the
/// path of a result; off it, the graph warns once, as at the top level.
final class ControlFlowPrintTests: XCTestCase {
    func testAPrintOffTheBodysPathIsReported() throws {
        let g = Graph()
        let x = g.placeholder(shape: [2], name: "x")
        var line = 0
        let out = g.whileLoop(
            condition: { v in v[0].less(g.constant(NDArray(2))) },
            body: { v in
                _ = g.print(v[1], message: "h: "); line = #line
                return [v[0] + 1, v[1] * 2]
            },
            loopVariables: [g.constant(NDArray(0)), x])
        _ = try Session(graph: g).run(out[1], feed: [x: NDArray(shape: [2], scalars: [1, 2])])
        let warning = g.warnings.first { $0.contains("prints nothing") } ?? ""
        XCTAssertTrue(warning.contains("body of while_loop 'while'"), g.warnings.description)
        XCTAssertTrue(warning.contains("ControlFlowStepTests.swift:\(line)"), warning)
    }
}
