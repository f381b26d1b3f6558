import Foundation

/// A graph read from a file, with a session whose variables hold the saved values.
public struct LoadedGraph {
    /// The graph, with the names, shapes and source lines it was saved with.
    public let graph: Graph
    /// A session over `graph` with every variable initialised to its saved value.
    public let session: Session

    /// The node with this name (to feed or fetch), or an error naming what is missing.
    ///
    /// - Parameter name: the node's name as saved.
    public func node(named name: String) throws -> Node {
        guard let node = graph.node(named: name) else {
            throw TandemError.graph(node: name, reason: "no node of this name in the loaded graph", location: nil)
        }
        return node
    }

    /// Runs fetches by name with feeds by name.
    ///
    /// - Parameters:
    ///   - fetches: the names of the nodes to evaluate.
    ///   - feed: values for placeholders (or any node), by name.
    @discardableResult
    public func run(_ fetches: [String], feed: [String: NDArray] = [:]) throws -> [NDArray] {
        var nodes: [Node: NDArray] = [:]
        for (name, value) in feed { nodes[try node(named: name)] = value }
        return try session.run(try fetches.map { try node(named: $0) }, feed: nodes)
    }
}

extension Graph {
    /// Saves the graph and its variables' values to one file (see `GraphFile` for the format).
    ///
    /// - Parameters:
    ///   - url: where to write; the write is atomic (temporary file, then rename).
    ///   - session: whose variable values to save (trained weights); nil saves the initial values.
    ///     An uninitialised variable is saved with its initial value.
    public func save(to url: URL, session: Session? = nil) throws {
        var data = [Float]()
        var records: [GraphFile.NodeRecord] = []
        func store(_ array: NDArray) -> GraphFile.DataRange {
            let range = GraphFile.DataRange(offset: data.count, count: array.count)
            data += array.scalars
            return range
        }
        for node in nodes {
            if let poison = node.poison {
                throw TandemError.file(path: url.path, reason: "cannot save node '\(node.name)': \(poison)")
            }
            var r = GraphFile.NodeRecord(
                name: node.name, kind: "", inputs: node.inputs.map(\.id), shape: node.staticShape,
                file: node.location?.file, line: node.location?.line)
            r.frame = node.frame?.index
            switch node.kind {
            case .placeholder:
                r.kind = "placeholder"
                if let value = placeholderDefaults[node.id] {
                    // The default's own shape: the node's may have unknown (-1) dimensions.
                    r.data = store(value)
                    r.attributes = ["defaultShape": value.shape.map(String.init).joined(separator: ",")]
                }
            case .labelsPlaceholder: r.kind = "labels"
            case .constant(let value):
                r.kind = "constant"
                r.data = store(value)
            case .variable(let index):
                r.kind = "variable"
                var value = initialValues[index]
                if let session, index < session.variableValues.count, let current = session.variableValues[index] {
                    value = current
                }
                r.data = store(value)
                r.trainable = isTrainable[index]
            case .primitive(let op):
                r.kind = "op"
                r.op = op.serialized
            case .print(let message):
                r.kind = "print"
                r.message = message
            case .initializer(let variables):
                r.kind = "init"
                r.variables = variables
            case .update(let update):
                r.kind = "update"
                r.variables = update.variables
                r.rule = GraphFile.Rule(update)
                if let session {
                    r.slots = try session.optimizerSlots(of: node).sorted { $0.key < $1.key }.map {
                        GraphFile.Tensor(name: $0.key, shape: $0.value.shape, data: store($0.value))
                    }
                }
            case .assign(let variable):
                r.kind = "assign"
                r.variables = [variable]
            case .training(let function):
                r.kind = "training"
                r.function = GraphFile.Function(function)
            case .group: r.kind = "group"
            case .identity: r.kind = "identity"
            case .controlFlow(let flow):
                r.kind = "control_flow"
                r.controlFlow = GraphFile.ControlFlowRecord(flow)
            case .output(let index):
                r.kind = "output"
                r.index = index
            case .argument(let index):
                r.kind = "argument"
                r.index = index
            case .custom(let kernel):
                r.kind = "custom"
                r.kernel = kernel.name
                r.attributes = kernel.attributes
            }
            records.append(r)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let header = try encoder.encode(GraphFile.Header(
            version: Int(GraphFile.version), nodes: records,
            subGraphs: subGraphs.isEmpty ? nil : subGraphs.map(GraphFile.SubGraphRecord.init)))
        var bytes = Data(GraphFile.magic)
        func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
        append(GraphFile.version)
        append(UInt64(header.count))
        bytes.append(header)
        let payload = data.withUnsafeBytes { Data($0) }  // float32, little-endian on every supported host
        append(UInt64(payload.count))
        bytes.append(payload)
        var checksum = header.withUnsafeBytes { GraphFile.fnv1a($0) }
        checksum = payload.withUnsafeBytes { GraphFile.fnv1a($0, hash: checksum) }
        append(checksum)
        try writeAtomically(bytes, to: url)  // the core's one atomic write (temp file, then rename)
    }

    /// Loads a graph file written by `save(to:session:)`: validates it completely, rebuilds the
    /// graph, and returns it with a session whose variables hold the saved values.
    ///
    /// Errors are `TandemError.file` naming the file and what is wrong: missing, truncated,
    /// corrupt (bad magic, checksum or node), or written by a newer format version.
    ///
    /// - Parameter url: the file written by `save(to:session:)`.
    public static func load(from url: URL) throws -> LoadedGraph {
        let path = url.path
        func fail(_ reason: String) -> TandemError { .file(path: path, reason: reason) }
        let bytes: Data
        do { bytes = try Data(contentsOf: url) } catch { throw fail("cannot read: \(error.localizedDescription)") }
        var cursor = 0
        func take(_ n: Int, _ what: String) throws -> Data {
            guard n >= 0, bytes.count - cursor >= n else {
                throw fail("truncated: the file ends inside the \(what) (\(bytes.count) bytes)")
            }
            defer { cursor += n }
            return bytes.subdata(in: (bytes.startIndex + cursor)..<(bytes.startIndex + cursor + n))
        }
        func integer<T: FixedWidthInteger>(_: T.Type, _ what: String) throws -> T {
            let raw = try take(MemoryLayout<T>.size, what)
            return T(littleEndian: raw.withUnsafeBytes { $0.loadUnaligned(as: T.self) })
        }
        guard Array(try take(8, "magic bytes")) == GraphFile.magic else {
            throw fail("not a Tandem graph file (bad magic bytes)")
        }
        let version = try integer(UInt32.self, "version")
        guard version <= GraphFile.version else {
            throw fail("written with graph format version \(version); this build of Tandem reads up to version \(GraphFile.version)")
        }
        guard version >= 1 else { throw fail("corrupt: format version 0") }
        let headerLength = try integer(UInt64.self, "header length")
        guard headerLength <= UInt64(bytes.count) else { throw fail("truncated: the header length (\(headerLength)) runs past the end of the file") }
        let header = try take(Int(headerLength), "header")
        let dataLength = try integer(UInt64.self, "data length")
        guard dataLength <= UInt64(bytes.count), dataLength % 4 == 0 else {
            throw fail("truncated or corrupt: the data length (\(dataLength)) does not fit the file")
        }
        let payload = try take(Int(dataLength), "data section")
        let stored = try integer(UInt64.self, "checksum")
        guard cursor == bytes.count else { throw fail("corrupt: \(bytes.count - cursor) unexpected bytes after the checksum") }
        var checksum = header.withUnsafeBytes { GraphFile.fnv1a($0) }
        checksum = payload.withUnsafeBytes { GraphFile.fnv1a($0, hash: checksum) }
        guard checksum == stored else { throw fail("corrupt: checksum mismatch (the file was modified or damaged)") }
        let decoded: GraphFile.Header
        do { decoded = try JSONDecoder().decode(GraphFile.Header.self, from: header) } catch {
            throw fail("corrupt header: \(error)")
        }
        let floats: [Float] = payload.withUnsafeBytes { raw in
            (0..<(raw.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
        let (graph, slots) = try rebuild(decoded.nodes, subGraphs: decoded.subGraphs ?? [], floats: floats, fail: fail)
        let session = Session(graph: graph)
        for (index, variable) in graph.variables.enumerated() {
            try session.assign(graph.initialValues[index], to: variable)
        }
        try restoreSlots(slots, into: session, floats: floats, fail: fail)
        return LoadedGraph(graph: graph, session: session)
    }

    private static func rebuild(
        _ records: [GraphFile.NodeRecord], subGraphs subGraphRecords: [GraphFile.SubGraphRecord], floats: [Float],
        fail: (String) -> TandemError
    ) throws -> (Graph, slots: [(Node, [GraphFile.Tensor])]) {
        let graph = Graph()
        var variableCount = 0
        var slotRecords: [(Node, [GraphFile.Tensor])] = []
        try graph.rebuildSubGraphs(subGraphRecords, fail: fail)
        for (i, r) in records.enumerated() {
            let label = "node \(i) ('\(r.name)')"
            guard r.inputs.allSatisfy({ $0 >= 0 && $0 < i }) else { throw fail("corrupt: \(label) reads a node that is not before it") }
            guard r.shape.allSatisfy({ $0 >= -1 }), elementCount(of: r.shape.filter { $0 != unknownDim }) != nil else {
                throw fail("corrupt: \(label) has shape \(r.shape)")
            }
            let inputs = r.inputs.map { graph.nodes[$0] }
            try graph.enterFrame(of: r, inputs: inputs, subGraphRecords: subGraphRecords, label: label, fail: fail)
            let location = r.file.map { SourceLocation(file: $0, line: r.line ?? 0) }
            func values() throws -> NDArray {
                // Offsets and counts come from the file: compared without any sum that could overflow.
                guard let range = r.data, range.offset >= 0, range.count >= 0, range.offset <= floats.count - range.count,
                      !r.shape.contains(-1), elementCount(of: r.shape) == range.count
                else { throw fail("corrupt: \(label) has no valid data for shape \(r.shape)") }
                return NDArray(shape: r.shape, scalars: Array(floats[range.offset..<(range.offset + range.count)]))
            }
            let node: Node
            switch r.kind {
            case "placeholder":
                node = graph.addNode(.placeholder, [], name: r.name, shape: r.shape, location: location)
                if let text = r.attributes?["defaultShape"] {
                    let shape = text.isEmpty ? [] : text.split(separator: ",").compactMap { Int($0) }
                    guard let range = r.data, range.offset >= 0, range.count >= 0, range.offset + range.count <= floats.count,
                          shape.allSatisfy({ $0 >= 0 }), shape.reduce(1, *) == range.count
                    else { throw fail("corrupt: \(label) has no valid default value for shape \(text)") }
                    graph.placeholderDefaults[node.id] = NDArray(shape: shape, scalars: Array(floats[range.offset..<(range.offset + range.count)]))
                }
            case "labels":
                node = graph.addNode(.labelsPlaceholder, [], name: r.name, shape: r.shape, location: location)
            case "constant":
                node = graph.addNode(.constant(try values()), [], name: r.name, shape: r.shape, location: location)
            case "variable":
                let value = try values()
                node = graph.addNode(.variable(index: variableCount), [], name: r.name, shape: r.shape, location: location)
                graph.registerVariable(node, initialValue: value, trainable: r.trainable ?? true)
                variableCount += 1
            case "op":
                guard let stored = r.op, let op = Op(serialized: stored), inputs.count == op.arity else {
                    throw fail("corrupt: \(label) has an unknown op or the wrong number of inputs")
                }
                do {
                    let shape = try op.outputShape(inputs.map(\.staticShape))
                    guard shape == r.shape else { throw ShapeRuleError("shape \(shape) differs from the saved \(r.shape)") }
                } catch {
                    throw fail("corrupt: \(label) (\(op.name)) does not follow from its inputs: \((error as? ShapeRuleError)?.reason ?? "\(error)")")
                }
                node = graph.addNode(.primitive(op), inputs, name: r.name, shape: r.shape, location: location)
            case "print":
                guard inputs.count == 1 else { throw fail("corrupt: \(label) print needs one input") }
                node = graph.addNode(.print(message: r.message ?? ""), inputs, name: r.name, shape: r.shape, location: location)
            case "init":
                let variables = r.variables ?? []
                guard variables.allSatisfy({ $0 >= 0 && $0 < variableCount }) else { throw fail("corrupt: \(label) initialises unknown variables") }
                node = graph.addNode(.initializer(variables: variables), [], name: r.name, shape: r.shape, location: location)
            case "update":
                let variables = r.variables ?? []
                guard let record = r.rule else { throw fail("corrupt: \(label) is an update without a rule") }
                let update = try record.decode(variables: variables, inputs: inputs, graph: graph, label: label, fail: fail)
                node = graph.addNode(.update(update), inputs, name: r.name, shape: r.shape, location: location)
                if let slots = r.slots { slotRecords.append((node, slots)) }
            case "training":
                guard let record = r.function, let function = record.decode(),
                      function.invalidInputs(inputs.map(\.staticShape)) == nil, r.shape.isEmpty
                else { throw fail("corrupt: \(label) is an invalid training function") }
                node = graph.addNode(.training(function), inputs, name: r.name, shape: r.shape, location: location)
            case "assign":
                guard let variables = r.variables, variables.count == 1, variables[0] >= 0, variables[0] < variableCount,
                      inputs.count == 1, inputs[0].staticShape.count == graph.variables[variables[0]].staticShape.count
                else { throw fail("corrupt: \(label) is an assign with an invalid variable or value") }
                node = graph.addNode(.assign(variable: variables[0]), inputs, name: r.name, shape: r.shape, location: location)
                graph.collectUpdateOp(node)
            case "group":
                node = graph.addNode(.group, inputs, name: r.name, shape: r.shape, location: location)
            case "identity":
                guard inputs.count == 1, inputs[0].staticShape == r.shape else {
                    throw fail("corrupt: \(label) identity needs one input of its own shape")
                }
                node = graph.addNode(.identity, inputs, name: r.name, shape: r.shape, location: location)
            case "control_flow", "output", "argument":
                node = try graph.rebuildControlFlowNode(
                    r, inputs: inputs, location: location, subGraphRecords: subGraphRecords, label: label, fail: fail)
            case "custom":
                node = try rebuildCustom(r, inputs: inputs, label: label, location: location, in: graph, fail: fail)
            default:
                throw fail("corrupt: \(label) has unknown kind '\(r.kind)'")
            }
            guard node.name == r.name else { throw fail("corrupt: node name '\(r.name)' appears twice") }
        }
        graph.currentFrame = nil
        try graph.checkSubGraphsComplete(fail: fail)
        return (graph, slotRecords)
    }

    /// A custom-kernel node, through the factory its library registered.
    private static func rebuildCustom(
        _ r: GraphFile.NodeRecord, inputs: [Node], label: String, location: SourceLocation?, in graph: Graph,
        fail: (String) -> TandemError
    ) throws -> Node {
        guard let name = r.kernel else { throw fail("corrupt: \(label) is a custom node without a kernel name") }
        guard let factory = CustomKernels.factory(name) else {
            throw fail(
                "\(label) needs the custom kernel '\(name)', which no library has registered in this program. Custom "
                    + "kernels come from libraries above TandemGraph (allreduce from TandemDistributed): import the library "
                    + "and register its kernels (TandemDistributed: registerDistributedKernels()) before loading")
        }
        let kernel: CustomKernel
        do { kernel = try factory(r.attributes ?? [:]) } catch {
            throw fail("corrupt: \(label): the custom kernel '\(name)' rejected its saved attributes: \(error)")
        }
        do {
            let shape = try kernel.outputShape(inputs.map(\.staticShape))
            guard shape == r.shape else { throw ShapeRuleError("shape \(shape) differs from the saved \(r.shape)") }
        } catch {
            throw fail("corrupt: \(label) (\(name)) does not follow from its inputs: \((error as? ShapeRuleError)?.reason ?? "\(error)")")
        }
        return graph.addNode(.custom(kernel), inputs, name: r.name, shape: r.shape, location: location)
    }
}
