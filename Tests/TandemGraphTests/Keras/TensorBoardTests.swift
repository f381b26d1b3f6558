import XCTest
@testable import TandemGraph

final class TensorBoardCallbackTests: XCTestCase {
    func testFitLogsTheGraphEveryStepAndEveryEpoch() throws {
        manualSeed(0)
        let n = 24
        let x = NDArray(shape: [n, 2], scalars: (0..<(2 * n)).map { Float($0 % 7) / 7 - 0.4 })
        let y = (0..<n).map { $0 % 2 }
        let model = Sequential([Dense(4, activation: .relu), Dense(2)])
        model.compile(optimizer: .sgd(learningRate: 0.1), loss: .sparseCategoricalCrossentropy(fromLogits: true), metrics: [.accuracy])
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-keras-tb-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let callback = try TensorBoard(logDir: dir)
        let history = try model.fit(x, y, epochs: 3, batchSize: 8, shuffle: false, verbose: false, callbacks: [callback])
        XCTAssertFalse(callback.writer.isClosed)  // flushed; closed when released

        let file = try XCTUnwrap(EventFile.files(in: dir.appendingPathComponent("train")).first)
        let epochLoss = try EventFile.scalars(in: file, tag: "epoch_loss")
        XCTAssertEqual(epochLoss.map(\.step), [0, 1, 2])
        XCTAssertEqual(epochLoss.map(\.value), history.loss)
        XCTAssertEqual(try EventFile.scalars(in: file, tag: "epoch_accuracy").map(\.value), history.accuracy)
        let batchLoss = try EventFile.scalars(in: file, tag: "batch_loss")
        XCTAssertEqual(batchLoss.map(\.step), Array(0..<9))
        // The epoch's mean loss is the mean of its (equal-sized) batches' losses.
        let firstEpoch = batchLoss.prefix(3).map(\.value).reduce(0, +) / 3
        XCTAssertEqual(firstEpoch, history.loss[0], accuracy: 1e-5)
        let events = try EventFile.events(in: file)
        XCTAssertTrue(events.contains { !$0.graphDef.isEmpty })
    }
}
