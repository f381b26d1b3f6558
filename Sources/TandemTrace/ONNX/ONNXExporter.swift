import Foundation
import TandemGraph
import TandemProtos

/// Builds an ONNX `GraphProto` from a Tandem graph: the bookkeeping (value names, initializers,
/// node protos); the op-by-op mapping is ``emit(_:for:inputs:output:)`` in `ONNXExporter+Ops.swift`.
struct ONNXExporter {
    /// The opset the exporter writes (ONNX 1.12's, which every current onnxruntime runs).
    static let opset: Int64 = 17
    /// IR version 8 goes with opset 17.
    static let irVersion: Int64 = 8

    let graph: Graph
    /// Variables' values: a session's when given, else the graph's initial values.
    let session: Session?
    let location: SourceLocation
    private(set) var nodes: [Onnx_NodeProto] = []
    private(set) var initializers: [Onnx_TensorProto] = []
    private var usedNames: Set<String> = []
    private var names: [Int: String] = [:]

    init(graph: Graph, session: Session?, location: SourceLocation) {
        self.graph = graph
        self.session = session
        self.location = location
    }

    /// The ONNX value name of a node's output.
    func name(of node: Node) -> String { names[node.id] ?? node.name }

    /// A fresh value name derived from `base`.
    mutating func freshName(_ base: String) -> String {
        var candidate = base
        var k = 1
        while usedNames.contains(candidate) {
            candidate = "\(base)_\(k)"
            k += 1
        }
        usedNames.insert(candidate)
        return candidate
    }

    /// Appends one ONNX node.
    mutating func add(
        _ opType: String, _ inputs: [String], _ outputs: [String], _ attributes: [Onnx_AttributeProto] = []
    ) {
        var proto = Onnx_NodeProto()
        proto.opType = opType
        proto.input = inputs
        proto.output = outputs
        proto.name = freshName("\(outputs.first ?? opType)/\(opType)")
        proto.attribute = attributes
        nodes.append(proto)
    }

    /// Appends one ONNX node with a new intermediate output named after `base`; returns the output.
    mutating func intermediate(
        _ opType: String, _ inputs: [String], base: String, _ attributes: [Onnx_AttributeProto] = []
    ) -> String {
        let out = freshName("\(base)/\(opType)")
        add(opType, inputs, [out], attributes)
        return out
    }

    /// A FLOAT initializer; returns its name.
    mutating func initializer(_ value: NDArray, base: String) -> String {
        let name = freshName(base)
        initializers.append(ONNXTensor.proto(value, name: name))
        return name
    }

    /// An INT64 initializer (axes, shapes, pads given as inputs); returns its name.
    mutating func int64Initializer(_ values: [Int], base: String, scalar: Bool = false) -> String {
        let name = freshName(base)
        initializers.append(ONNXTensor.proto(
            int64: values.map(Int64.init), shape: scalar ? [] : [values.count], name: name))
        return name
    }

    /// A scalar FLOAT initializer; returns its name.
    mutating func scalar(_ value: Float, base: String) -> String {
        initializer(NDArray(value), base: base)
    }

    // MARK: Attributes

    static func attribute(_ name: String, int value: Int) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .int
        a.i = Int64(value)
        return a
    }

    static func attribute(_ name: String, float value: Float) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .float
        a.f = value
        return a
    }

    static func attribute(_ name: String, ints values: [Int]) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .ints
        a.ints = values.map(Int64.init)
        return a
    }

    // MARK: The graph

    /// Maps every node between `inputs` and `outputs` and returns the model.
    mutating func model(inputs: [Node], outputs: [Node]) throws -> Onnx_ModelProto {
        let inputIDs = Set(inputs.map(\.id))
        for node in inputs {
            guard case .placeholder = node.kind else {
                throw TandemError.invalidValue(
                    op: "exportONNX",
                    reason: "input '\(node.name)' is a \(node.kindName), not a placeholder", location: location)
            }
        }
        // The nodes the outputs need, stopping at the inputs, in graph (topological) order.
        var needed = Set<Int>()
        var stack = outputs
        var byID: [Int: Node] = [:]
        while let node = stack.popLast() {
            guard needed.insert(node.id).inserted else { continue }
            byID[node.id] = node
            if let poison = node.poison { throw poison }
            if !inputIDs.contains(node.id) { stack.append(contentsOf: node.inputs) }
        }
        for node in inputs + outputs {
            names[node.id] = freshName(node.name)
        }
        for node in needed.sorted().compactMap({ byID[$0] }) where !inputIDs.contains(node.id) {
            try export(node, isOutput: outputs.contains(node))
        }

        var graphProto = Onnx_GraphProto()
        graphProto.name = "tandem"
        graphProto.node = nodes
        graphProto.initializer = initializers
        graphProto.input = inputs.map { valueInfo(name(of: $0), shape: $0.shape) }
        graphProto.output = outputs.map { valueInfo(name(of: $0), shape: $0.shape) }
        var model = Onnx_ModelProto()
        model.irVersion = Self.irVersion
        model.producerName = "Tandem"
        model.producerVersion = "0.2"
        var opset = Onnx_OperatorSetIdProto()
        opset.domain = ""
        opset.version = Self.opset
        model.opsetImport = [opset]
        model.graph = graphProto
        return model
    }

    private mutating func export(_ node: Node, isOutput: Bool) throws {
        if names[node.id] == nil { names[node.id] = freshName(node.name) }
        let output = name(of: node)
        let inputs = node.inputs.map { name(of: $0) }
        switch node.kind {
        case .constant(let value):
            if isOutput {
                add("Identity", [initializer(value, base: "\(output)/value")], [output])
            } else {
                usedNames.remove(output)
                names[node.id] = initializer(value, base: node.name)
            }
        case .variable(let index):
            let value = try session?.value(of: node) ?? graph.initialValues[index]
            if isOutput {
                add("Identity", [initializer(value, base: "\(output)/value")], [output])
            } else {
                usedNames.remove(output)
                names[node.id] = initializer(value, base: node.name)
            }
        case .identity, .print:
            add("Identity", inputs, [output])
        case .primitive(let op):
            try emit(op, for: node, inputs: inputs, output: output)
        case .placeholder, .labelsPlaceholder:
            throw TandemError.invalidValue(
                op: "exportONNX",
                reason: "the outputs read placeholder '\(node.name)', which is not among the inputs", location: location)
        case .initializer, .update, .assign, .training, .group, .controlFlow, .output, .argument, .custom:
            throw unmappable(node.kindName, node: node)
        }
    }

    /// The error for a node ONNX export cannot write.
    func unmappable(_ what: String, node: Node, hint: String? = nil) -> TandemError {
        .invalidValue(
            op: "exportONNX",
            reason: "cannot export '\(what)' (node '\(node.name)', \(node.originDescription)) to ONNX: "
                + (hint ?? "the exporter has no mapping for it"), location: location)
    }

    private func valueInfo(_ name: String, shape: [Int?]) -> Onnx_ValueInfoProto {
        var info = Onnx_ValueInfoProto()
        info.name = name
        var tensorType = Onnx_TypeProto.Tensor()
        tensorType.elemType = Int32(Onnx_TensorProto.DataType.float.rawValue)
        tensorType.shape.dim = shape.enumerated().map { index, size in
            var dim = Onnx_TensorShapeProto.Dimension()
            if let size { dim.dimValue = Int64(size) } else { dim.dimParam = index == 0 ? "batch" : "dim\(index)" }
            return dim
        }
        info.type.tensorType = tensorType
        return info
    }
}
