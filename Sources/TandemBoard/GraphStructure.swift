import Foundation
import TandemProtos

/// A graph's nodes, edges and shapes, in the form TensorBoard's graph tab draws (a `GraphDef`).
///
/// A frontend fills one from its own graph (`SummaryWriter.addGraph(_ graph: Graph)` in
/// TandemGraph) and the writer serializes it. Slashes in names (`dense/matmul`) become
/// collapsible groups in TensorBoard.
public struct GraphStructure {
    /// One node: its unique name, its op, the names of the nodes it reads, and its shape.
    public struct Node {
        /// The node's unique name.
        public var name: String
        /// The op shown in TensorBoard (`MatMul`, `Placeholder`, ...).
        public var op: String
        /// The names of the nodes it reads, in order.
        public var inputs: [String]
        /// Its static shape, nil for a dimension known only at run time; nil when not a tensor.
        public var shape: [Int?]?
        /// Extra text attributes shown in the node's info card (the source line, the op's attributes).
        public var attributes: [String: String]

        /// Creates a node.
        ///
        /// - Parameters:
        ///   - name: the node's unique name.
        ///   - op: the op shown.
        ///   - inputs: the names of the nodes it reads.
        ///   - shape: its static shape (nil entries for unknown dimensions), if it has one.
        ///   - attributes: extra text attributes.
        public init(name: String, op: String, inputs: [String], shape: [Int?]?, attributes: [String: String] = [:]) {
            self.name = name
            self.op = op
            self.inputs = inputs
            self.shape = shape
            self.attributes = attributes
        }
    }

    /// The nodes, in an order where each node's inputs come before it.
    public var nodes: [Node]

    /// Creates a structure from its nodes.
    ///
    /// - Parameter nodes: the nodes, inputs first.
    public init(nodes: [Node]) { self.nodes = nodes }

    /// The `GraphDef` TensorBoard reads: `dtype` and `_output_shapes` attributes give the edge labels.
    var graphDef: Tensorboard_GraphDef {
        var def = Tensorboard_GraphDef()
        def.versions.producer = 22
        def.node = nodes.map { node in
            var out = Tensorboard_NodeDef()
            out.name = node.name
            out.op = node.op
            out.input = node.inputs
            if let shape = node.shape {
                var dtype = Tensorboard_AttrValue()
                dtype.type = .dtFloat
                out.attr["dtype"] = dtype
                var proto = Tensorboard_TensorShapeProto()
                proto.dim = shape.map { size in
                    var dim = Tensorboard_TensorShapeProto.Dim()
                    dim.size = Int64(size ?? -1)
                    return dim
                }
                var shapes = Tensorboard_AttrValue()
                shapes.list.shape = [proto]
                out.attr["_output_shapes"] = shapes
            }
            for (key, value) in node.attributes {
                var attr = Tensorboard_AttrValue()
                attr.s = Data(value.utf8)
                out.attr[key] = attr
            }
            return out
        }
        return def
    }
}
