import Foundation
import TandemGraph
import TandemProtos

/// Reads an ONNX `ModelProto` into a Tandem graph: the bookkeeping (values by name, constants,
/// attributes); the op-by-op mapping is ``node(_:)`` in `ONNXImporter+Ops.swift`.
struct ONNXImporter {
    /// A value flowing between ONNX nodes.
    enum Value {
        /// A Tandem node.
        case node(Node)
        /// A step of the Erf form of GELU, which only becomes a Tandem op when it completes:
        /// stage 1 erf(x / sqrt 2), stage 2 erf(...) + 1, stage 3 x * (erf(...) + 1).
        case gelu(stage: Int, x: Node)
    }

    let path: String
    let file: StaticString
    let line: UInt
    var location: SourceLocation { SourceLocation(file, line) }
    let graph = Graph()
    var values: [String: Value] = [:]
    /// Values known when the file is read (initializers, Constant nodes): shapes and axes are read from them.
    var constants: [String: NDArray] = [:]
    var opset = 0
    /// Outputs of Div(x, sqrt 2) and of Mul(x, 0.5), by name, with their x: where GELU's Erf form may start.
    var pendingGeluDivisions: [String: Node] = [:]
    var pendingHalves: [String: Node] = [:]

    init(path: String, file: StaticString, line: UInt) {
        self.path = path
        self.file = file
        self.line = line
    }

    mutating func read(_ model: Onnx_ModelProto) throws -> ONNXModel {
        opset = Int(model.opsetImport.first { $0.domain.isEmpty || $0.domain == "ai.onnx" }?.version ?? 0)
        guard opset >= 13 else {
            throw TandemError.file(path: path, reason: "opset \(opset) is older than 13, the oldest the importer reads")
        }
        let graphProto = model.graph
        for tensor in graphProto.initializer {
            constants[tensor.name] = try ONNXTensor.floats(tensor, path: path)
        }
        var inputs: [Node] = []
        for info in graphProto.input where constants[info.name] == nil {
            let shape: [Int?] = info.type.tensorType.shape.dim.map { dim in
                if case .dimValue(let size)? = dim.value, size > 0 { return Int(size) }
                return nil
            }
            let placeholder = graph.placeholder(
                shape: shape, name: info.name, file: file, line: line)
            values[info.name] = .node(placeholder)
            inputs.append(placeholder)
        }
        for proto in graphProto.node {
            try node(proto)
        }
        let outputs = try graphProto.output.map { info -> Node in
            try tensor(info.name, for: "the graph's output")
        }
        return ONNXModel(graph: graph, inputs: inputs, outputs: outputs, producer: model.producerName, opset: opset)
    }

    // MARK: Operands

    /// The Tandem node for value `name` (a constant becomes a graph constant when first used).
    mutating func tensor(_ name: String, for what: String) throws -> Node {
        switch values[name] {
        case .node(let node)?:
            return node
        case .gelu?:
            throw TandemError.file(
                path: path, reason: "\(what) reads '\(name)', a part of the Erf form of GELU the importer can only read whole")
        case nil:
            if let value = constants[name] {
                let node = graph.constant(value, name: name, file: file, line: line)
                values[name] = .node(node)
                return node
            }
            throw TandemError.file(path: path, reason: "\(what) reads '\(name)', which no node produced")
        }
    }

    /// The whole numbers of a constant input (axes, shapes, pads).
    func integers(_ name: String, for node: Onnx_NodeProto) throws -> [Int] {
        guard let value = constants[name] else {
            throw unsupported(node, "its input '\(name)' must be a constant (an initializer or a Constant node)")
        }
        return value.contiguous().scalars.map { Int($0) }
    }

    /// The single Float of a constant scalar input, or nil when it is not a constant scalar.
    func constantScalar(_ name: String) -> Float? {
        guard let value = constants[name], value.shape.reduce(1, *) == 1 else { return nil }
        return value.contiguous().scalars[0]
    }

    /// An error naming the node and why the importer cannot read it.
    func unsupported(_ node: Onnx_NodeProto, _ reason: String) -> TandemError {
        .file(path: path, reason: "ONNX node '\(node.name)' (\(node.opType)): \(reason)")
    }

    // MARK: Attributes

    func int(_ node: Onnx_NodeProto, _ name: String, default value: Int? = nil) throws -> Int {
        if let a = node.attribute.first(where: { $0.name == name }) { return Int(a.i) }
        guard let value else { throw unsupported(node, "attribute '\(name)' is missing") }
        return value
    }

    func float(_ node: Onnx_NodeProto, _ name: String, default value: Float) -> Float {
        node.attribute.first(where: { $0.name == name }).map(\.f) ?? value
    }

    func ints(_ node: Onnx_NodeProto, _ name: String) -> [Int]? {
        node.attribute.first(where: { $0.name == name }).map { $0.ints.map { Int($0) } }
    }

    func string(_ node: Onnx_NodeProto, _ name: String) -> String? {
        node.attribute.first(where: { $0.name == name }).map { String(decoding: $0.s, as: UTF8.self) }
    }
}
