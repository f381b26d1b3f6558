/// A lookup table (`tf.keras.layers.Embedding`): whole-number indices `[batch, ...]` in
/// `0..<inputDim` give `[batch, ..., outputDim]`. The table is initialised uniformly in
/// [-0.05, 0.05], Keras' default.
///
/// ```swift
/// let model = Sequential([Embedding(inputDim: 1000, outputDim: 16), Flatten(), Dense(2)])
/// ```
public final class Embedding: Layer {
    /// The number of vectors (the vocabulary size).
    public let inputDim: Int
    /// The size of each vector.
    public let outputDim: Int
    /// The `[inputDim, outputDim]` table, once built.
    public private(set) var embeddings: Node?
    private let name: String

    /// Creates an embedding layer.
    ///
    /// - Parameters:
    ///   - inputDim: the number of vectors; indices run from 0 to `inputDim - 1`.
    ///   - outputDim: the size of each vector.
    ///   - name: the prefix of the layer's variable name.
    public init(inputDim: Int, outputDim: Int, name: String = "embedding") {
        precondition(inputDim > 0 && outputDim > 0, "Embedding(inputDim: \(inputDim), outputDim: \(outputDim)): sizes must be positive")
        self.inputDim = inputDim
        self.outputDim = outputDim
        self.name = name
    }

    /// Creates the table; the output adds a dimension of `outputDim`.
    ///
    /// - Parameters:
    ///   - inputShape: the shape of the indices without the batch.
    ///   - graph: the graph that holds the table.
    public func build(inputShape: [Int], in graph: Graph) -> [Int] {
        let output = outputShape(of: .embedding, for: inputShape, with: [[inputDim, outputDim]], layer: "Embedding '\(name)'")
        graph.withNameScope(name) {
            embeddings = graph.variable(Initializer.uniform([inputDim, outputDim], low: -0.05, high: 0.05), name: "embeddings")
        }
        return output
    }

    /// The rows of the table at `input`.
    ///
    /// - Parameters:
    ///   - input: whole-number indices, `[batch, ...]`.
    ///   - training: unused.
    public func callAsFunction(_ input: Node, training: Bool) -> Node {
        guard let embeddings else { preconditionFailure("Embedding: call build(inputShape:in:) first") }
        return embedding(input, weight: embeddings)
    }

    /// The table.
    public var variables: [Node] { [embeddings].compactMap { $0 } }
}
