/// A lookup table of `numEmbeddings` vectors of size `embeddingDim` (`torch.nn.Embedding`):
/// whole-number indices of any shape give `indices.shape + [embeddingDim]`. The `weight` is
/// drawn from N(0, 1) as in PyTorch; repeated indices add up their gradients.
///
/// ```swift
/// let embed = Embedding(1000, 64)
/// let vectors = embed(Tensor(shape: [2, 3], scalars: [4, 8, 15, 16, 23, 42]))   // [2, 3, 64]
/// ```
public final class Embedding: Module {
    /// The size of the table.
    public let numEmbeddings: Int
    /// The size of each vector.
    public let embeddingDim: Int
    /// The table, `[numEmbeddings, embeddingDim]`.
    public var weight: Tensor

    /// Creates a table drawn from N(0, 1) with the global generator (see `manualSeed`).
    ///
    /// - Parameters:
    ///   - numEmbeddings: the number of vectors (indices run from 0 to `numEmbeddings - 1`).
    ///   - embeddingDim: the size of each vector.
    public init(_ numEmbeddings: Int, _ embeddingDim: Int) {
        precondition(
            numEmbeddings > 0 && embeddingDim > 0,
            "Embedding(\(numEmbeddings), \(embeddingDim)): sizes must be positive")
        self.numEmbeddings = numEmbeddings
        self.embeddingDim = embeddingDim
        weight = Tensor(Initializer.normal([numEmbeddings, embeddingDim]), requiresGrad: true)
    }

    /// `weight`.
    public var namedParameters: [(String, Tensor)] { [("weight", weight)] }

    /// No children.
    public var children: [(String, Module)] { [] }

    /// The rows of `weight` at the whole-number `input` indices.
    public func forward(_ input: Tensor) -> Tensor {
        if input.isPlaceholder { return input }
        if let bad = input.scalars.first(where: { $0 != $0.rounded() || $0 < 0 || $0 >= Float(numEmbeddings) }) {
            return Tensor.failed(.invalidValue(
                op: "Embedding(\(numEmbeddings), \(embeddingDim))",
                reason: "index \(bad) of indices shaped \(formatShape(input.shape)) is not a whole number in 0..<\(numEmbeddings)",
                location: ModuleCallSite.current))
        }
        return Tensor.apply(.embedding, [input, weight], at: ModuleCallSite.current)
    }
}
