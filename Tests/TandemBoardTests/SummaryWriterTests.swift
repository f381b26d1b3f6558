import XCTest
@testable import TandemBoard
import TandemKernels
import TandemProtos

final class SummaryWriterTests: XCTestCase {
    private func temporaryDirectory() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-board-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    func testScalarsAndHistogramsReadBack() throws {
        let dir = temporaryDirectory().appendingPathComponent("runs/eager")
        let writer = try SummaryWriter(logDir: dir)
        XCTAssertTrue(writer.fileURL.lastPathComponent.hasPrefix("events.out.tfevents."))
        for step in 0..<5 { writer.addScalar("loss", 1 / Float(step + 1), step: step) }
        writer.addScalar("accuracy", 0.5, step: 4)
        writer.addHistogram("weights", NDArray(shape: [2, 3], scalars: [-1, 0, 0.5, 0.5, 2, 3]), step: 4)
        writer.close()
        XCTAssertTrue(writer.isClosed)

        let events = try EventFile.events(in: writer.fileURL)
        XCTAssertEqual(events.first?.fileVersion, "brain.Event:2")
        XCTAssertEqual(events.count, 1 + 5 + 1 + 1)
        let losses = try EventFile.scalars(in: writer.fileURL, tag: "loss")
        XCTAssertEqual(losses.map(\.step), [0, 1, 2, 3, 4])
        XCTAssertEqual(losses.map(\.value), [1, 0.5, 1 / Float(3), 0.25, 0.2])
        XCTAssertEqual(try EventFile.scalars(in: writer.fileURL, tag: "accuracy").map(\.value), [0.5])
        let histogram = events.last!.summary.value[0].histo
        XCTAssertEqual(events.last!.summary.value[0].tag, "weights")
        XCTAssertEqual(histogram.num, 6)
        XCTAssertEqual(histogram.min, -1)
        XCTAssertEqual(histogram.max, 3)
        XCTAssertEqual(histogram.sum, 5)
        XCTAssertEqual(histogram.sumSquares, 1 + 0.25 + 0.25 + 4 + 9)
        XCTAssertEqual(histogram.bucket.reduce(0, +), 6)
        XCTAssertEqual(EventFile.files(in: dir), [writer.fileURL])
    }

    func testFlushMakesValuesVisibleWhileTheWriterIsOpen() throws {
        let writer = try SummaryWriter(logDir: temporaryDirectory())
        writer.addScalar("loss", 3, step: 7)
        XCTAssertEqual(try EventFile.scalars(in: writer.fileURL, tag: "loss").count, 0)
        writer.flush()
        XCTAssertEqual(try EventFile.scalars(in: writer.fileURL, tag: "loss").map(\.step), [7])
        writer.close()
        writer.close()
    }

    func testGraphStructureIsAGraphDef() throws {
        let writer = try SummaryWriter(logDir: temporaryDirectory())
        writer.addGraph(GraphStructure(nodes: [
            .init(name: "x", op: "placeholder", inputs: [], shape: [nil, 4]),
            .init(name: "dense/matmul", op: "matmul", inputs: ["x"], shape: [nil, 2], attributes: ["source": "main.swift:3"]),
        ]))
        writer.close()
        let event = try EventFile.events(in: writer.fileURL).last!
        let def = try Tensorboard_GraphDef(serializedBytes: event.graphDef)
        XCTAssertEqual(def.node.map(\.name), ["x", "dense/matmul"])
        XCTAssertEqual(def.node[1].input, ["x"])
        XCTAssertEqual(def.node[1].attr["_output_shapes"]?.list.shape.first?.dim.map(\.size), [-1, 2])
        XCTAssertEqual(def.node[1].attr["source"]?.s, Data("main.swift:3".utf8))
    }

    func testBadUseIsATandemErrorInsideChecked() throws {
        let writer = try SummaryWriter(logDir: temporaryDirectory())
        let line = #line + 2
        XCTAssertThrowsError(try checked {
            writer.addHistogram("w", NDArray(shape: [2], scalars: [1, .nan]), step: 0)
        }) { error in
            XCTAssertTrue("\(error)".contains("SummaryWriter.addHistogram"), "\(error)")
            XCTAssertTrue("\(error)".contains("SummaryWriterTests.swift:\(line)"), "\(error)")
        }
        writer.close()
        XCTAssertThrowsError(try checked { writer.addScalar("loss", 1, step: 0) }) { error in
            XCTAssertTrue("\(error)".contains("closed"), "\(error)")
        }
    }

    func testAnUnwritableDirectoryThrows() throws {
        let file = temporaryDirectory()
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: file.path, contents: Data("not a directory".utf8))
        XCTAssertThrowsError(try SummaryWriter(logDir: file.appendingPathComponent("run")))
    }

    func testACorruptFileIsAnError() throws {
        let writer = try SummaryWriter(logDir: temporaryDirectory())
        writer.addScalar("loss", 1, step: 0)
        writer.close()
        var data = try Data(contentsOf: writer.fileURL)
        data[data.count - 6] ^= 0xFF
        try data.write(to: writer.fileURL)
        XCTAssertThrowsError(try EventFile.events(in: writer.fileURL)) { error in
            XCTAssertTrue("\(error)".contains("CRC"), "\(error)")
        }
    }
}
