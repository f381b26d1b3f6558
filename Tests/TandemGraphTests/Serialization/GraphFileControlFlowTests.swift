import Foundation
import XCTest
@testable import TandemGraph

/// Graph files with control flow (format version 2): a loaded graph with loops, conds and their
/// gradients runs without the code that built it; version 1 files still load; a file whose
/// control-flow records do not fit together is rejected, not run.
final class GraphFileControlFlowTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-cflow-file-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// A loop with a cond inside its body, a cond after it, and the gradients of both, saved.
    private func saveControlFlowModel() throws -> (URL, feed: [String: NDArray], fetches: [String], expected: [NDArray]) {
        let g = Graph()
        let x = g.placeholder(shape: [nil, 2], name: "x")
        let n = g.placeholder(shape: [], name: "n")
        let w = g.variable(NDArray(shape: [2, 2], scalars: [0.9, -0.4, 0.3, 0.7]), name: "w")
        let out = g.whileLoop(
            condition: { v in isLess(v[0], n) },
            body: { v in
                let h = (v[1].matmul(w)).tanh()
                let next = g.cond(isLess(v[0], g.constant(NDArray(1))), then: { [h * 2] }, else: { [h + 0.5] })[0]
                return [v[0] + 1, next]
            },
            loopVariables: [g.constant(NDArray(0)), x], maximumIterations: 6)
        let total = g.identity(out[1].sum(), name: "total")
        let head = g.identity(g.cond(total.relu(), then: { [total * total] }, else: { [-total] })[0], name: "head")
        let grads = g.gradients(of: head, with: [w, x])
        let dw = g.identity(grads[0], name: "dw"), dx = g.identity(grads[1], name: "dx")
        let session = Session(graph: g)
        try session.run(g.initializeVariables())
        let feed = ["x": NDArray(shape: [3, 2], scalars: testValues(6, seed: 51)), "n": NDArray(4)]
        let fetches = ["total", "head", "dw", "dx"]
        let expected = try session.run([total, head, dw, dx], feed: [x: feed["x"]!, n: feed["n"]!])
        let url = directory.appendingPathComponent("loop.tgraph")
        try g.save(to: url, session: session)
        return (url, feed, fetches, expected)
    }

    func testALoadedGraphWithControlFlowRunsWithoutTheBuildingCode() throws {
        let (url, feed, fetches, expected) = try saveControlFlowModel()
        let loaded = try Graph.load(from: url)
        let out = try loaded.run(fetches, feed: feed)
        for (a, e) in zip(out, expected) { XCTAssertEqual(a, e) }
        // The structure survives: sub-graphs with roles, captures recomputed, saved values.
        let roles = loaded.graph.subGraphs.map(\.role)
        XCTAssertEqual(roles.filter { $0 == .body }.count, 1)
        XCTAssertEqual(roles.filter { $0 == .gradient }.count, 5)  // loop body, two inner branches, two outer branches
        let body = loaded.graph.subGraphs.first { $0.role == .body }!
        XCTAssertEqual(body.captures.map(\.name), ["w"])
        XCTAssertEqual(body.owner?.name, "while")
        XCTAssertEqual(body.location?.line, try originalLine(of: "while", in: url))
        // A different trip count, fed to the loaded graph, still works.
        let again = try loaded.run(["total"], feed: ["x": feed["x"]!, "n": NDArray(1)])
        XCTAssertEqual(again[0].count, 1)
    }

    func testControlFlowGraphsSurviveASecondSaveUnchanged() throws {
        let (url, _, _, _) = try saveControlFlowModel()
        let loaded = try Graph.load(from: url)
        let second = directory.appendingPathComponent("again.tgraph")
        try loaded.graph.save(to: second, session: loaded.session)
        XCTAssertEqual(try Data(contentsOf: url), try Data(contentsOf: second))
    }

    /// A file written by the version-1 writer (before control flow): x [?, 2], a variable w,
    /// a constant b, y = tanh(x w + b) named "y", and an SGD train op.
    func testVersionOneFilesStillLoad() throws {
        let url = directory.appendingPathComponent("v1.tgraph")
        try Data(base64Encoded: Self.versionOneFile.joined())!.write(to: url)
        XCTAssertEqual(try Data(contentsOf: url)[8], 1)
        let loaded = try Graph.load(from: url)
        let x: [Float] = [0.5, -1, 2, 0.25]
        let y = try loaded.run(["y"], feed: ["x": NDArray(shape: [2, 2], scalars: x)])[0]
        // w = [[1, 2], [3, 4]], b = [0.5, -0.5]
        let expected: [Float] = [
            tanhf(0.5 * 1 - 1 * 3 + 0.5), tanhf(0.5 * 2 - 1 * 4 - 0.5),
            tanhf(2 * 1 + 0.25 * 3 + 0.5), tanhf(2 * 2 + 0.25 * 4 - 0.5),
        ]
        assertClose(y.scalars, expected)
        XCTAssertTrue(loaded.graph.subGraphs.isEmpty)
    }

    func testInconsistentControlFlowRecordsAreRejected() throws {
        let (url, _, _, _) = try saveControlFlowModel()
        // Each edit breaks one relation the loader checks; the checksum is rewritten so that
        // the structural check, not the checksum, has to catch it.
        let edits: [(String, (inout [String: Any]) -> Void)] = [
            ("leading inputs", { header in Self.editNode(&header, kind: "control_flow") { $0["controlFlow", default: [:]] = Self.with($0["controlFlow"], "leadingInputs", 0) } }),
            ("sub-graph index", { header in Self.editNode(&header, kind: "control_flow") { $0["controlFlow"] = Self.with($0["controlFlow"], "subGraphs", [99, 0]) } }),
            ("frame", { header in Self.editNode(&header, kind: "argument") { $0["frame"] = 42 } }),
            ("output index", { header in Self.editNode(&header, kind: "output") { $0["index"] = 7 } }),
            ("parent", { header in
                var subGraphs = header["subGraphs"] as! [[String: Any]]
                subGraphs[0]["parent"] = 5
                header["subGraphs"] = subGraphs
            }),
            ("results", { header in
                var subGraphs = header["subGraphs"] as! [[String: Any]]
                subGraphs[1]["results"] = [0]
                header["subGraphs"] = subGraphs
            }),
        ]
        for (what, edit) in edits {
            let broken = directory.appendingPathComponent("broken.tgraph")
            try Self.rewriteHeader(of: url, to: broken, edit)
            let message = errorMessage { _ = try Graph.load(from: broken) }
            XCTAssertTrue(message?.contains("corrupt") ?? false, "\(what): \(message ?? "loaded without error")")
        }
    }

    // MARK: File surgery

    private func originalLine(of name: String, in url: URL) throws -> Int? {
        let header = try Self.header(of: Data(contentsOf: url))
        return (header["nodes"] as! [[String: Any]]).first { $0["name"] as? String == name }?["line"] as? Int
    }

    private static func header(of bytes: Data) throws -> [String: Any] {
        let length = Int(bytes.subdata(in: 12..<20).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        return try JSONSerialization.jsonObject(with: bytes.subdata(in: 20..<(20 + length))) as! [String: Any]
    }

    private static func with(_ record: Any?, _ key: String, _ value: Any) -> [String: Any] {
        var copy = record as? [String: Any] ?? [:]
        copy[key] = value
        return copy
    }

    private static func editNode(_ header: inout [String: Any], kind: String, _ change: (inout [String: Any]) -> Void) {
        var nodes = header["nodes"] as! [[String: Any]]
        let i = nodes.firstIndex { $0["kind"] as? String == kind }!
        change(&nodes[i])
        header["nodes"] = nodes
    }

    /// Copies a graph file with its JSON header edited and the checksum recomputed.
    private static func rewriteHeader(of url: URL, to target: URL, _ edit: (inout [String: Any]) -> Void) throws {
        let bytes = try Data(contentsOf: url)
        let length = Int(bytes.subdata(in: 12..<20).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        var header = try header(of: bytes)
        edit(&header)
        let newHeader = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        let dataStart = 20 + length
        let dataLength = Int(bytes.subdata(in: dataStart..<(dataStart + 8)).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        let payload = bytes.subdata(in: (dataStart + 8)..<(dataStart + 8 + dataLength))
        var out = bytes.subdata(in: 0..<12)
        withUnsafeBytes(of: UInt64(newHeader.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(newHeader)
        withUnsafeBytes(of: UInt64(payload.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(payload)
        var checksum = newHeader.withUnsafeBytes { GraphFile.fnv1a($0) }
        checksum = payload.withUnsafeBytes { GraphFile.fnv1a($0, hash: checksum) }
        withUnsafeBytes(of: checksum.littleEndian) { out.append(contentsOf: $0) }
        try out.write(to: target)
    }

    /// The version-1 file, base64 (written by `Graph.save` at commit ad621cd, before control flow).
    private static let versionOneFile = [
        "VE5ETUdSUEgBAAAAywsAAAAAAAB7Im5vZGVzIjpbeyJmaWxlIjoiVGFuZGVtR3JhcGhUZXN0c1wvVG1wVjFGaXh0dXJlVGVzdHMu",
        "c3dpZnQiLCJpbnB1dHMiOltdLCJraW5kIjoicGxhY2Vob2xkZXIiLCJsaW5lIjo4LCJuYW1lIjoieCIsInNoYXBlIjpbLTEsMl19",
        "LHsiZGF0YSI6eyJjb3VudCI6NCwib2Zmc2V0IjowfSwiZmlsZSI6IlRhbmRlbUdyYXBoVGVzdHNcL1RtcFYxRml4dHVyZVRlc3Rz",
        "LnN3aWZ0IiwiaW5wdXRzIjpbXSwia2luZCI6InZhcmlhYmxlIiwibGluZSI6OSwibmFtZSI6InciLCJzaGFwZSI6WzIsMl0sInRy",
        "YWluYWJsZSI6dHJ1ZX0seyJkYXRhIjp7ImNvdW50IjoyLCJvZmZzZXQiOjR9LCJmaWxlIjoiVGFuZGVtR3JhcGhUZXN0c1wvVG1w",
        "VjFGaXh0dXJlVGVzdHMuc3dpZnQiLCJpbnB1dHMiOltdLCJraW5kIjoiY29uc3RhbnQiLCJsaW5lIjoxMCwibmFtZSI6ImIiLCJz",
        "aGFwZSI6WzJdfSx7ImZpbGUiOiJUYW5kZW1HcmFwaFRlc3RzXC9UbXBWMUZpeHR1cmVUZXN0cy5zd2lmdCIsImlucHV0cyI6WzAs",
        "MV0sImtpbmQiOiJvcCIsImxpbmUiOjExLCJuYW1lIjoibWF0bXVsIiwib3AiOnsibmFtZSI6Im1hdG11bCJ9LCJzaGFwZSI6Wy0x",
        "LDJdfSx7ImlucHV0cyI6WzMsMl0sImtpbmQiOiJvcCIsIm5hbWUiOiJhZGQiLCJvcCI6eyJuYW1lIjoiYWRkIn0sInNoYXBlIjpb",
        "LTEsMl19LHsiZmlsZSI6IlRhbmRlbUdyYXBoVGVzdHNcL1RtcFYxRml4dHVyZVRlc3RzLnN3aWZ0IiwiaW5wdXRzIjpbNF0sImtp",
        "bmQiOiJvcCIsImxpbmUiOjExLCJuYW1lIjoidGFuaCIsIm9wIjp7Im5hbWUiOiJ0YW5oIn0sInNoYXBlIjpbLTEsMl19LHsiZmls",
        "ZSI6IlRhbmRlbUdyYXBoVGVzdHNcL1RtcFYxRml4dHVyZVRlc3RzLnN3aWZ0IiwiaW5wdXRzIjpbNV0sImtpbmQiOiJpZGVudGl0",
        "eSIsImxpbmUiOjExLCJuYW1lIjoieSIsInNoYXBlIjpbLTEsMl19LHsiZmlsZSI6IlRhbmRlbUdyYXBoVGVzdHNcL1RtcFYxRml4",
        "dHVyZVRlc3RzLnN3aWZ0IiwiaW5wdXRzIjpbNl0sImtpbmQiOiJvcCIsImxpbmUiOjEyLCJuYW1lIjoic3VtIiwib3AiOnsiYm9v",
        "bHMiOltmYWxzZV0sImludHMiOltdLCJuYW1lIjoic3VtIn0sInNoYXBlIjpbXX0seyJkYXRhIjp7ImNvdW50IjoxLCJvZmZzZXQi",
        "OjZ9LCJmaWxlIjoiVGFuZGVtR3JhcGhUZXN0c1wvVG1wVjFGaXh0dXJlVGVzdHMuc3dpZnQiLCJpbnB1dHMiOltdLCJraW5kIjoi",
        "Y29uc3RhbnQiLCJsaW5lIjoxMiwibmFtZSI6ImdyYWRpZW50c1wvb25lcyIsInNoYXBlIjpbXX0seyJmaWxlIjoiVGFuZGVtR3Jh",
        "cGhUZXN0c1wvVG1wVjFGaXh0dXJlVGVzdHMuc3dpZnQiLCJpbnB1dHMiOls4LDZdLCJraW5kIjoib3AiLCJsaW5lIjoxMiwibmFt",
        "ZSI6ImdyYWRpZW50c1wvZXhwYW5kX2xpa2UiLCJvcCI6eyJib29scyI6W2ZhbHNlLGZhbHNlXSwiaW50cyI6W10sIm5hbWUiOiJl",
        "eHBhbmRfbGlrZSJ9LCJzaGFwZSI6Wy0xLDJdfSx7ImZpbGUiOiJUYW5kZW1HcmFwaFRlc3RzXC9UbXBWMUZpeHR1cmVUZXN0cy5z",
        "d2lmdCIsImlucHV0cyI6WzUsNV0sImtpbmQiOiJvcCIsImxpbmUiOjExLCJuYW1lIjoiZ3JhZGllbnRzXC9tdWwiLCJvcCI6eyJu",
        "YW1lIjoibXVsIn0sInNoYXBlIjpbLTEsMl19LHsiZmlsZSI6IlRhbmRlbUdyYXBoVGVzdHNcL1RtcFYxRml4dHVyZVRlc3RzLnN3",
        "aWZ0IiwiaW5wdXRzIjpbMTBdLCJraW5kIjoib3AiLCJsaW5lIjoxMSwibmFtZSI6ImdyYWRpZW50c1wvbmVnIiwib3AiOnsibmFt",
        "ZSI6Im5lZyJ9LCJzaGFwZSI6Wy0xLDJdfSx7ImZpbGUiOiJUYW5kZW1HcmFwaFRlc3RzXC9UbXBWMUZpeHR1cmVUZXN0cy5zd2lm",
        "dCIsImlucHV0cyI6WzExXSwia2luZCI6Im9wIiwibGluZSI6MTEsIm5hbWUiOiJncmFkaWVudHNcL2FkZF9zY2FsYXIiLCJvcCI6",
        "eyJmbG9hdHMiOlsxXSwibmFtZSI6ImFkZF9zY2FsYXIifSwic2hhcGUiOlstMSwyXX0seyJmaWxlIjoiVGFuZGVtR3JhcGhUZXN0",
        "c1wvVG1wVjFGaXh0dXJlVGVzdHMuc3dpZnQiLCJpbnB1dHMiOls5LDEyXSwia2luZCI6Im9wIiwibGluZSI6MTEsIm5hbWUiOiJn",
        "cmFkaWVudHNcL211bF8xIiwib3AiOnsibmFtZSI6Im11bCJ9LCJzaGFwZSI6Wy0xLDJdfSx7ImlucHV0cyI6WzEzLDNdLCJraW5k",
        "Ijoib3AiLCJuYW1lIjoiZ3JhZGllbnRzXC9zdW1fdG9fc2hhcGUiLCJvcCI6eyJuYW1lIjoic3VtX3RvX3NoYXBlIn0sInNoYXBl",
        "IjpbLTEsMl19LHsiZmlsZSI6IlRhbmRlbUdyYXBoVGVzdHNcL1RtcFYxRml4dHVyZVRlc3RzLnN3aWZ0IiwiaW5wdXRzIjpbMF0s",
        "ImtpbmQiOiJvcCIsImxpbmUiOjExLCJuYW1lIjoiZ3JhZGllbnRzXC90cmFuc3Bvc2UiLCJvcCI6eyJpbnRzIjpbLTEsLTJdLCJu",
        "YW1lIjoidHJhbnNwb3NlIn0sInNoYXBlIjpbMiwtMV19LHsiZmlsZSI6IlRhbmRlbUdyYXBoVGVzdHNcL1RtcFYxRml4dHVyZVRl",
        "c3RzLnN3aWZ0IiwiaW5wdXRzIjpbMTUsMTRdLCJraW5kIjoib3AiLCJsaW5lIjoxMSwibmFtZSI6ImdyYWRpZW50c1wvbWF0bXVs",
        "Iiwib3AiOnsibmFtZSI6Im1hdG11bCJ9LCJzaGFwZSI6WzIsMl19LHsiZmlsZSI6IlRhbmRlbUdyYXBoVGVzdHNcL1RtcFYxRml4",
        "dHVyZVRlc3RzLnN3aWZ0IiwiaW5wdXRzIjpbMTYsMV0sImtpbmQiOiJvcCIsImxpbmUiOjExLCJuYW1lIjoiZ3JhZGllbnRzXC9z",
        "dW1fdG9fc2hhcGVfMSIsIm9wIjp7Im5hbWUiOiJzdW1fdG9fc2hhcGUifSwic2hhcGUiOlsyLDJdfSx7ImZpbGUiOiJUYW5kZW1H",
        "cmFwaFRlc3RzXC9UbXBWMUZpeHR1cmVUZXN0cy5zd2lmdCIsImlucHV0cyI6WzE3XSwia2luZCI6InVwZGF0ZSIsImxpbmUiOjEy",
        "LCJuYW1lIjoiR3JhZGllbnREZXNjZW50IiwicnVsZSI6eyJraW5kIjoic2dkIiwibGVhcm5pbmdSYXRlIjowLjEsIm1vbWVudHVt",
        "IjowfSwic2hhcGUiOlswXSwic2xvdHMiOltdLCJ2YXJpYWJsZXMiOlswXX0seyJmaWxlIjoiVGFuZGVtR3JhcGhUZXN0c1wvVG1w",
        "VjFGaXh0dXJlVGVzdHMuc3dpZnQiLCJpbnB1dHMiOltdLCJraW5kIjoiaW5pdCIsImxpbmUiOjE0LCJuYW1lIjoiaW5pdCIsInNo",
        "YXBlIjpbMF0sInZhcmlhYmxlcyI6WzBdfV0sInZlcnNpb24iOjF9HAAAAAAAAAAAAIA/AAAAQAAAQEAAAIBAAAAAPwAAAL8AAIA/",
        "LW/6eIan1/A=",
    ]
}
