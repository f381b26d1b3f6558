import Foundation
import XCTest
@testable import TandemGraph

/// Graph files crafted with a valid checksum but impossible contents (huge shapes, offsets and
/// counts that overflow): each is a `TandemError.file`, never an overflow trap.
final class GraphFileCraftedTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-crafted-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// A saved trained graph: header JSON and data section.
    private func savedParts() throws -> (header: String, payload: Data) {
        let g = Graph()
        let x = g.placeholder(shape: [nil, 3], name: "x")
        let y = g.labelsPlaceholder(name: "y")
        let w = g.variable(NDArray(shape: [3, 2], scalars: testValues(6, seed: 3)), name: "w")
        let logits = conv2d(x.reshape([-1, 1, 1, 3]), weight: g.constant(NDArray(ones: [2, 1, 1, 1]), name: "k"), padding: 0)
            .reshape([-1, 6]).narrow(dim: 1, start: 0, length: 2) + x.matmul(w)
        let train = MomentumOptimizer(learningRate: 0.1, momentum: 0.9).minimize(crossEntropy(logits, y))
        let session = Session(graph: g)
        try session.run(g.initializeVariables())
        try session.run(train, feed: [x: NDArray(shape: [2, 3], scalars: [1, 0, 0, 0, 1, 0]), y: NDArray(shape: [2], scalars: [0, 1])])
        let url = directory.appendingPathComponent("model.tgraph")
        try g.save(to: url, session: session)
        // scripts/fuzz.sh collects this file as the graph-file fuzzer's seed.
        if let seeds = ProcessInfo.processInfo.environment["TANDEM_FUZZ_SEEDS"] {
            try writeAtomically(try Data(contentsOf: url), to: URL(fileURLWithPath: seeds).appendingPathComponent("trained.tgraph"))
        }
        let bytes = [UInt8](try Data(contentsOf: url))
        func integer(at offset: Int) -> Int {
            (0..<8).reduce(0) { $0 | Int(bytes[offset + $1]) << (8 * $1) }
        }
        let headerLength = integer(at: 12)
        let header = String(decoding: bytes[20..<(20 + headerLength)], as: UTF8.self)
        let dataLength = integer(at: 20 + headerLength)
        let payloadStart = 28 + headerLength
        return (header, Data(bytes[payloadStart..<(payloadStart + dataLength)]))
    }

    /// The file layout of `Graph.save`, with a correct checksum over the (edited) header.
    private func write(header: String, payload: Data) throws -> URL {
        var bytes = Data(GraphFile.magic)
        func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
        let headerBytes = Data(header.utf8)
        append(GraphFile.version)
        append(UInt64(headerBytes.count))
        bytes.append(headerBytes)
        append(UInt64(payload.count))
        bytes.append(payload)
        var checksum = headerBytes.withUnsafeBytes { GraphFile.fnv1a($0) }
        checksum = payload.withUnsafeBytes { GraphFile.fnv1a($0, hash: checksum) }
        append(checksum)
        let url = directory.appendingPathComponent("crafted-\(UUID().uuidString).tgraph")
        try bytes.write(to: url)
        return url
    }

    func testTheUneditedFileLoads() throws {
        let (header, payload) = try savedParts()
        XCTAssertNoThrow(try Graph.load(from: try write(header: header, payload: payload)))
    }

    /// The header with one field of the first node named `name` (or applying `op`) replaced.
    private func edited(_ header: String, node matches: ([String: Any]) -> Bool, _ edit: (inout [String: Any]) -> Void) throws -> String? {
        guard var root = try JSONSerialization.jsonObject(with: Data(header.utf8)) as? [String: Any],
              var nodes = root["nodes"] as? [[String: Any]], let index = nodes.firstIndex(where: matches)
        else { return nil }
        edit(&nodes[index])
        root["nodes"] = nodes
        return String(decoding: try JSONSerialization.data(withJSONObject: root), as: UTF8.self)
    }

    func testHugeShapesOffsetsAndCountsAreFileErrors() throws {
        let (header, payload) = try savedParts()
        let huge = 4_611_686_018_427_387_904
        func named(_ name: String) -> ([String: Any]) -> Bool { { $0["name"] as? String == name } }
        func op(_ name: String) -> ([String: Any]) -> Bool { { ($0["op"] as? [String: Any])?["name"] as? String == name } }
        func setInts(_ ints: [Int]) -> (inout [String: Any]) -> Void {
            { node in
                var op = node["op"] as! [String: Any]
                op["ints"] = ints
                node["op"] = op
            }
        }
        func setData(offset: Int? = nil, count: Int? = nil) -> (inout [String: Any]) -> Void {
            { node in
                var data = node["data"] as! [String: Any]
                if let offset { data["offset"] = offset }
                if let count { data["count"] = count }
                node["data"] = data
            }
        }
        let edits: [(String, ([String: Any]) -> Bool, (inout [String: Any]) -> Void)] = [
            ("a variable's huge shape", named("w"), { $0["shape"] = [huge, huge] }),
            ("a shape whose zero hides huge dimensions", named("w"), { $0["shape"] = [0, huge, huge] }),
            ("a negative shape", named("w"), { $0["shape"] = [-5, 2] }),
            ("a placeholder's huge shape", named("x"), { $0["shape"] = [-1, huge, huge] }),
            ("a data offset near Int.max", named("w"), setData(offset: Int.max - 3)),
            ("a data count near Int.max", named("w"), setData(count: Int.max - 3)),
            ("a reshape target that overflows", op("reshape"), setInts([-1, huge, huge, 3])),
            ("a huge conv2d padding", op("conv2d"), setInts([1, huge])),
            ("a huge conv2d stride", op("conv2d"), setInts([Int.max, 0])),
            ("a huge narrow length", op("narrow"), setInts([1, 0, huge])),
            ("a narrow start near Int.max", op("narrow"), setInts([1, Int.max, 2])),
        ]
        for (what, matches, edit) in edits {
            guard let crafted = try edited(header, node: matches, edit) else {
                XCTFail("\(what): no such node in the saved header")
                continue
            }
            let url = try write(header: crafted, payload: payload)
            do {
                _ = try Graph.load(from: url)
                XCTFail("\(what): loaded")
            } catch let TandemError.file(path, reason) {
                XCTAssertEqual(path, url.path, what)
                XCTAssertFalse(reason.contains("checksum"), "\(what): \(reason)")
            } catch {
                XCTFail("\(what): \(error)")
            }
        }
    }
}
