/// The graph file's records of control flow (format version 2): sub-graphs, control-flow nodes,
/// their outputs and arguments. Loading rebuilds them through the same bookkeeping as building
/// (captures and saved values are recomputed, not trusted) and checks every relation a crafted
/// file could break.
extension GraphFile {
    /// A sub-graph: its role, where it sits, and its results.
    struct SubGraphRecord: Codable {
        var role: String
        /// The enclosing sub-graph's index (nil: the top level).
        var parent: Int?
        /// For a backward sub-graph, the forward sub-graph's index.
        var forward: Int?
        var scope: String
        var file: String?
        var line: Int?
        /// Node indices of its results.
        var results: [Int]

        init(_ subGraph: SubGraph) {
            role = subGraph.role.rawValue
            parent = subGraph.parent?.index
            forward = subGraph.forward?.index
            scope = subGraph.scope
            file = subGraph.location?.file
            line = subGraph.location?.line
            results = subGraph.results.map(\.id)
        }
    }

    /// A control-flow node's construct, sub-graphs (by index) and shapes.
    struct ControlFlowRecord: Codable {
        var construct: String
        var subGraphs: [Int]
        var maximumIterations: Int?
        var leadingInputs: Int
        var outputShapes: [[Int]]

        init(_ flow: ControlFlow) {
            construct = flow.construct.rawValue
            subGraphs = flow.subGraphs.map(\.index)
            maximumIterations = flow.maximumIterations
            leadingInputs = flow.leadingInputCount
            outputShapes = flow.outputShapes
        }
    }
}

extension Graph {
    /// Creates the sub-graphs of a file, checking that each parent and forward comes first.
    func rebuildSubGraphs(_ records: [GraphFile.SubGraphRecord], fail: (String) -> TandemError) throws {
        for (i, r) in records.enumerated() {
            guard let role = SubGraph.Role(rawValue: r.role),
                  r.parent.map({ $0 >= 0 && $0 < i }) ?? true, r.forward.map({ $0 >= 0 && $0 < i }) ?? true,
                  (role == .gradient) == (r.forward != nil)
            else { throw fail("corrupt: sub-graph \(i) has an invalid role, parent or forward sub-graph") }
            let subGraph = SubGraph(
                role: role, parent: r.parent.map { subGraphs[$0] }, forward: r.forward.map { subGraphs[$0] },
                location: r.file.map { SourceLocation(file: $0, line: r.line ?? 0) }, index: i, scope: r.scope)
            subGraphs.append(subGraph)
            subGraph.forward?.readers.append(subGraph)
        }
    }

    /// Makes the node record's sub-graph current (checking it may hold such a node and read its
    /// inputs from there), so the node is added where it was built.
    func enterFrame(
        of r: GraphFile.NodeRecord, inputs: [Node], subGraphRecords: [GraphFile.SubGraphRecord], label: String,
        fail: (String) -> TandemError
    ) throws {
        let frame: SubGraph?
        if let index = r.frame {
            guard index >= 0, index < subGraphs.count, !["placeholder", "labels", "variable", "init", "update", "assign"].contains(r.kind) else {
                throw fail("corrupt: \(label) names an invalid sub-graph")
            }
            frame = subGraphs[index]
            guard frame!.owner == nil else { throw fail("corrupt: \(label) is in a sub-graph whose control-flow node came before it") }
        } else {
            frame = nil
        }
        currentFrame = frame
        if let error = admit(inputs, into: frame, reader: r.name, at: nil) { throw fail("corrupt: \(label): \(error)") }
    }

    /// Rebuilds a `control_flow`, `output` or `argument` node record.
    func rebuildControlFlowNode(
        _ r: GraphFile.NodeRecord, inputs: [Node], location: SourceLocation?, subGraphRecords: [GraphFile.SubGraphRecord],
        label: String, fail: (String) -> TandemError
    ) throws -> Node {
        switch r.kind {
        case "argument":
            guard let frame = currentFrame, let index = r.index, index == frame.arguments.count, inputs.isEmpty else {
                throw fail("corrupt: \(label) is an argument out of order or outside a sub-graph")
            }
            let node = addNode(.argument(index: index), [], name: r.name, shape: r.shape, location: location)
            frame.arguments.append(node)
            return node
        case "output":
            guard inputs.count == 1, case .controlFlow(let flow) = inputs[0].kind, inputs[0].frame === currentFrame,
                  let index = r.index, index == flow.outputIDs.count, index < flow.outputShapes.count,
                  flow.outputShapes[index] == r.shape
            else { throw fail("corrupt: \(label) is an invalid output of a control-flow node") }
            let node = addNode(.output(index: index), inputs, name: r.name, shape: r.shape, location: location)
            flow.outputIDs.append(node.id)
            return node
        default:
            guard let record = r.controlFlow, r.shape == [0] else { throw fail("corrupt: \(label) has no control-flow record") }
            let flow = try decodeControlFlow(record, inputs: inputs, subGraphRecords: subGraphRecords, label: label, fail: fail)
            let node = addNode(.controlFlow(flow), inputs, name: r.name, shape: r.shape, location: location)
            for subGraph in flow.subGraphs { subGraph.owner = node }
            return node
        }
    }

    /// The control flow a record describes, checked against its inputs and sub-graphs.
    private func decodeControlFlow(
        _ record: GraphFile.ControlFlowRecord, inputs: [Node], subGraphRecords: [GraphFile.SubGraphRecord], label: String,
        fail: (String) -> TandemError
    ) throws -> ControlFlow {
        func corrupt(_ what: String) -> TandemError { fail("corrupt: \(label) (\(record.construct)): \(what)") }
        guard let construct = ControlFlow.Construct(rawValue: record.construct),
              record.subGraphs.allSatisfy({ $0 >= 0 && $0 < subGraphs.count }),
              Set(record.subGraphs).count == record.subGraphs.count
        else { throw corrupt("unknown construct or sub-graph") }
        let parts = record.subGraphs.map { subGraphs[$0] }
        for (subGraph, index) in zip(parts, record.subGraphs) {
            guard subGraph.owner == nil, subGraph.parent === currentFrame else { throw corrupt("a sub-graph is used twice or misplaced") }
            let results = subGraphRecords[index].results
            guard results.allSatisfy({ $0 >= 0 && $0 < nodes.count }) else { throw corrupt("a result is not before the node") }
            if let error = finish(subGraph, results: results.map { nodes[$0] }, at: nil) { throw corrupt("\(error)") }
        }
        let leading = record.leadingInputs
        guard leading >= 0, leading <= inputs.count,
              Array(inputs[leading...]) == Graph.unionOfCaptures(parts)
        else { throw corrupt("its inputs are not its leading inputs followed by its sub-graphs' captures") }
        let roles = parts.map(\.role), shapes = record.outputShapes
        let arity = parts.map { $0.arguments.count }, resultCounts = parts.map { $0.results.count }
        switch construct {
        case .cond:
            guard roles == [.thenBranch, .elseBranch], leading == 1, inputs[0].staticShape.isEmpty, arity == [0, 0],
                  resultCounts[0] == resultCounts[1], resultCounts[0] == shapes.count, shapes.count > 0,
                  zip(parts[0].results, parts[1].results).enumerated().allSatisfy({ k, pair in
                      pair.0.staticShape.count == pair.1.staticShape.count
                          && zip(pair.0.staticShape, pair.1.staticShape).map { $0 == $1 ? $0 : unknownDim } == shapes[k]
                  })
            else { throw corrupt("invalid branches, predicate or output shapes") }
        case .whileLoop:
            let initial = Array(inputs[0..<leading])
            guard roles == [.condition, .body], leading > 0, arity == [leading, leading],
                  parts.allSatisfy({ $0.arguments.map(\.staticShape) == initial.map(\.staticShape) }),
                  resultCounts == [1, leading], parts[0].results[0].staticShape.isEmpty,
                  zip(initial, parts[1].results).map({ Graph.refine($0.staticShape, $1.staticShape) }) == shapes,
                  record.maximumIterations.map({ $0 >= 0 }) ?? true
            else { throw corrupt("invalid condition, body, loop variables or output shapes") }
        case .condGradient, .whileGradient:
            guard leading >= 1, case .controlFlow(let forward) = inputs[0].kind, record.maximumIterations == nil,
                  roles.allSatisfy({ $0 == .gradient })
            else { throw corrupt("its first input is not a control-flow node") }
            let k = forward.outputShapes.count
            if construct == .condGradient {
                guard forward.construct == .cond, parts.count == 2, zip(parts, forward.subGraphs).allSatisfy({ $0.forward === $1 }),
                      leading == 1 + k, arity == [k, k], resultCounts == [shapes.count, shapes.count],
                      parts.allSatisfy({ $0.arguments.map(\.staticShape) == forward.outputShapes })
                else { throw corrupt("it does not match its forward cond") }
            } else {
                let m = leading - 1 - k
                guard forward.construct == .whileLoop, parts.count == 1, parts[0].forward === forward.subGraphs[1], m >= 0,
                      arity == [k + m], resultCounts == [k + m], shapes.count == k + m,
                      Array(shapes.prefix(k)) == forward.outputShapes,
                      parts[0].arguments.map(\.staticShape) == shapes
                else { throw corrupt("it does not match its forward loop") }
            }
        }
        return ControlFlow(
            construct: construct, subGraphs: parts, maximumIterations: record.maximumIterations, leadingInputCount: leading,
            outputShapes: shapes)
    }

    /// Checks, after loading, that every sub-graph belongs to a control-flow node and every
    /// control-flow node has all its outputs.
    func checkSubGraphsComplete(fail: (String) -> TandemError) throws {
        if let orphan = subGraphs.first(where: { $0.owner == nil }) {
            throw fail("corrupt: sub-graph \(orphan.index) ('\(orphan.scope)') belongs to no control-flow node")
        }
        for node in nodes {
            guard case .controlFlow(let flow) = node.kind, flow.outputIDs.count != flow.outputShapes.count else { continue }
            throw fail("corrupt: control-flow node '\(node.name)' is missing outputs")
        }
    }
}
