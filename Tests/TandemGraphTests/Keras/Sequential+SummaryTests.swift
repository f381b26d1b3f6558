import XCTest
@testable import TandemGraph

/// summary() prints Keras' table: names, output shapes and parameter counts, trainable and not.
final class SequentialSummaryTests: XCTestCase {
    func testSummaryPrintsKerasTable() throws {
        let model = Sequential([Dense(16, activation: .relu), BatchNormalization(), Dense(3), Activation(.softmax)], inputShape: [2])
        model.compile(optimizer: .sgd(learningRate: 0.1), loss: .sparseCategoricalCrossentropy(fromLogits: false))
        let table = try model.summary(print: false)
        XCTAssertEqual(table, """
            Model: "sequential"
            _________________________________________________________________
            Layer (type)                 Output Shape              Param #
            =================================================================
            dense (Dense)                (None, 16)                48
            _________________________________________________________________
            batch_normalization (BatchNor(None, 16)                64
            _________________________________________________________________
            dense_1 (Dense)              (None, 3)                 51
            _________________________________________________________________
            activation (Activation)      (None, 3)                 0
            =================================================================
            Total params: 163
            Trainable params: 131
            Non-trainable params: 32
            _________________________________________________________________
            """)
        XCTAssertEqual(Sequential.grouped(407_050), "407,050")
        XCTAssertEqual(Sequential.snakeCase("GlobalAveragePooling2D"), "global_average_pooling2d")
    }
}
