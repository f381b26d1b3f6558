import Foundation

/// The fault catalogue as graph (TensorFlow 1.x-style) programs: build the graph, then run it in
/// a loop. The verdict comes from what happened: an error at construction (`checked` throws it),
/// an error from `Session.run`, a warning in `graph.warnings`, or printed output.
enum GraphFaults {
    static let frontend = "graph"

    static func run(_ fault: Fault) -> FaultResult { run(fault, twinProgram: false) }

    /// Runs the fault-free twin of `fault` (the same program with the mistake fixed, which must
    /// produce no diagnostic); nil when the fault cannot happen here.
    static func run(twinOf fault: Fault) -> FaultResult? {
        let result = run(fault, twinProgram: true)
        return result.applicable ? result : nil
    }

    private static func run(_ fault: Fault, twinProgram twin: Bool) -> FaultResult {
        // Warnings are also printed to standard error; keep the terminal clean while judging.
        captureOutput { () -> FaultResult in
            switch fault {
            case .shapeMismatch: return shapeMismatch(twin: twin)
            case .wrongFeedShape: return wrongFeedShape(twin: twin)
            case .nanFromLog: return nanFromLog(twin: twin)
            case .unusedParameter: return unusedParameter(twin: twin)
            case .forgottenZeroGrad:
                return .notApplicable(fault, frontend, because: "every run computes fresh gradients; nothing accumulates")
            case .lossWithHistory: return lossWithHistory(twin: twin)
            case .printIntermediate: return printIntermediate(twin: twin)
            case .opsInLoop: return opsInLoop(twin: twin)
            case .valueReadWhileBuilding: return valueReadWhileBuilding(fixed: twin)
            case .loopShapeChange: return loopShapeChange(fixed: twin)
            case .unevenBatches, .replicasDiffer: return DistributedFaults.run(fault, frontend: frontend, twin: twin).result
            case .missingEval: return missingEval(fixed: twin)
            case .batchNormUpdatesNotRun: return batchNormUpdatesNotRun(fixed: twin)
            }
        }.result
    }

    /// An MLP's pieces: placeholders, variables, loss and train op.
    struct Model {
        let graph = Graph()
        var x: Node!
        var y: Node!
        var variables: [Node] = []
        var hidden: Node!
        var loss: Node!
        var train: Node!
    }

    static func variables(_ graph: Graph, _ layers: [(Int, Int)]) -> [Node] {
        layers.enumerated().flatMap { index, layer -> [Node] in
            let (w, b) = faultWeights(layer.0, layer.1)
            return [graph.variable(w, name: "w\(index)"), graph.variable(b, name: "b\(index)")]
        }
    }

    static func feed(_ model: Model, _ x: NDArray, _ y: [Int]) -> [Node: NDArray] {
        [model.x: x, model.y: labelArray(y)]
    }

    /// A two-layer model built without faults (the programs below change one line of it).
    static func buildModel(hidden: Int = 256) -> Model {
        var m = Model()
        m.x = m.graph.placeholder(shape: [nil, 784], name: "images")
        m.y = m.graph.labelsPlaceholder(name: "labels")
        m.variables = variables(m.graph, [(hidden, 784), (10, hidden)])
        m.hidden = linear(m.x, weight: m.variables[0], bias: m.variables[1]).relu()
        m.loss = crossEntropy(linear(m.hidden, weight: m.variables[2], bias: m.variables[3]), m.y)
        m.train = MomentumOptimizer(learningRate: 0.05, momentum: 0.9).minimize(m.loss)
        return m
    }

    /// A hidden layer expects 500 features but receives 512: reported when the node is added.
    /// The twin's second layer expects 512.
    static func shapeMismatch(twin: Bool) -> FaultResult {
        let g = Graph()
        let probe = FaultProbe { g.warnings }
        var fault: SourceLocation?
        do {
            let train = try checked { () -> Node in
                let x = g.placeholder(shape: [nil, 784], name: "images")
                let y = g.labelsPlaceholder(name: "labels")
                let p = variables(g, [(512, 784), (256, twin ? 512 : 500), (10, 256)])
                let h1 = linear(x, weight: p[0], bias: p[1]).relu()
                let h2 = linear(h1, weight: p[2], bias: p[3]).relu(); fault = here()
                let loss = crossEntropy(linear(h2, weight: p[4], bias: p[5]), y)
                _ = x
                return MomentumOptimizer(learningRate: 0.05, momentum: 0.9).minimize(loss)
            }
            let session = Session(graph: g)
            try session.run(g.initializeVariables())
            probe.startRunning()
            for (x, y) in faultBatches(steps: 3) {
                try session.run(train, feed: [g.node(named: "images")!: x, g.node(named: "labels")!: labelArray(y)])
            }
        } catch { probe.record(error) }
        probe.collect()
        return probe.observation.judge(.shapeMismatch, frontend: frontend, op: "linear", shapes: ["[256, 500]"], line: fault)
    }

    /// A batch with 780 features fed to a placeholder of 784: reported by `Session.run`, naming
    /// the placeholder and the line that created it.
    /// The twin feeds 784 features.
    static func wrongFeedShape(twin: Bool) -> FaultResult {
        let g = Graph()
        let probe = FaultProbe { g.warnings }
        var fault: SourceLocation?
        do {
            let (x, y, train) = try checked { () -> (Node, Node, Node) in
                let x = g.placeholder(shape: [nil, 784], name: "images"); fault = here()
                let y = g.labelsPlaceholder(name: "labels")
                let p = variables(g, [(256, 784), (10, 256)])
                let loss = crossEntropy(linear(linear(x, weight: p[0], bias: p[1]).relu(), weight: p[2], bias: p[3]), y)
                return (x, y, MomentumOptimizer(learningRate: 0.05, momentum: 0.9).minimize(loss))
            }
            let session = Session(graph: g)
            try session.run(g.initializeVariables())
            probe.startRunning()
            for (batch, labels) in faultBatches(steps: 3, features: twin ? 784 : 780) {
                try session.run(train, feed: [x: batch, y: labelArray(labels)])
            }
        } catch { probe.record(error) }
        probe.collect()
        return probe.observation.judge(.wrongFeedShape, frontend: frontend, op: "images", shapes: ["[64, 780]"], line: fault)
    }

    /// `log` of values that are often negative; one debug line: the session's check-numerics option.
    /// The twin takes `log` of a positive value.
    static func nanFromLog(twin: Bool) -> FaultResult {
        let g = Graph()
        let probe = FaultProbe { g.warnings }
        var fault: SourceLocation?
        do {
            let (x, y, train) = try checked { () -> (Node, Node, Node) in
                let x = g.placeholder(shape: [nil, 784], name: "images")
                let y = g.labelsPlaceholder(name: "labels")
                let p = variables(g, [(256, 784), (10, 256)])
                let z = linear(x, weight: p[0], bias: p[1])
                let h = (twin ? z.exp() : z).log(); fault = here()
                let loss = crossEntropy(linear(h, weight: p[2], bias: p[3]), y)
                return (x, y, MomentumOptimizer(learningRate: 0.05, momentum: 0.9).minimize(loss))
            }
            let session = probe.debug { Session(graph: g, options: Session.Options(checkNumerics: true)) }
            try session.run(g.initializeVariables())
            probe.startRunning()
            for (batch, labels) in faultBatches(steps: 3) {
                try session.run(train, feed: [x: batch, y: labelArray(labels)])
            }
        } catch { probe.record(error) }
        probe.collect()
        return probe.observation.judge(.nanFromLog, frontend: frontend, op: "log", shapes: ["[64, 256]", "[?, 256]"], line: fault)
    }

    /// A variable in the optimizer's list that the loss never uses (TF1's `minimize(var_list:)`).
    /// The twin leaves the extra variable out of the list.
    static func unusedParameter(twin: Bool) -> FaultResult {
        var m = Model()
        let probe = FaultProbe { [graph = m.graph] in graph.warnings }
        var fault: SourceLocation?
        do {
            try checked {
                m.x = m.graph.placeholder(shape: [nil, 784], name: "images")
                m.y = m.graph.labelsPlaceholder(name: "labels")
                m.variables = variables(m.graph, [(256, 784), (10, 256)])
                let extra = m.graph.variable(NDArray(zeros: [10]), name: "extra"); fault = here()
                let logits = linear(linear(m.x, weight: m.variables[0], bias: m.variables[1]).relu(), weight: m.variables[2], bias: m.variables[3])
                m.loss = crossEntropy(logits, m.y)
                let optimizer = MomentumOptimizer(learningRate: 0.05, momentum: 0.9)
                m.train = optimizer.applyGradients(optimizer.computeGradients(m.loss, variables: m.variables + (twin ? [] : [extra])))
            }
            let session = Session(graph: m.graph)
            try session.run(m.graph.initializeVariables())
            probe.startRunning()
            for (x, y) in faultBatches(steps: 3) { try session.run(m.train, feed: feed(m, x, y)) }
        } catch { probe.record(error) }
        probe.collect()
        return probe.observation.judge(.unusedParameter, frontend: frontend, op: "extra", shapes: ["[10]"], line: fault)
    }

    /// `total = total + loss` in the loop: a new node every step (TF1's version of a loss kept
    /// with its history).
    /// The twin sums the fetched loss values in Swift.
    static func lossWithHistory(twin: Bool) -> FaultResult {
        let m = buildModel()
        let probe = FaultProbe { m.graph.warnings }
        var fault: SourceLocation?
        do {
            var total = m.graph.constant(NDArray(0))
            let session = Session(graph: m.graph)
            try session.run(m.graph.initializeVariables())
            probe.startRunning()
            var sum: Float = 0
            for (x, y) in faultBatches(steps: 4) {
                if twin {
                    sum += try session.run([m.train, m.loss], feed: feed(m, x, y))[1].scalar
                    continue
                }
                total = total.adding(m.loss); fault = here()
                try checked { _ = try session.run([m.train, total], feed: feed(m, x, y)) }
            }
            _ = sum
        } catch { probe.record(error) }
        probe.collect()
        return probe.observation.judge(.lossWithHistory, frontend: frontend, op: "add", shapes: [], line: fault)
    }

    /// A print node whose result is not used: off the fetch path (the tf.Print trap). Printed
    /// text counts only when it shows the hidden values (fetched separately to compare); the
    /// twin prints nothing.
    static func printIntermediate(twin: Bool) -> FaultResult {
        var m = buildModel()
        let probe = FaultProbe { [graph = m.graph] in graph.warnings }
        var fault: SourceLocation?
        var hidden: NDArray?
        let (_, output) = captureOutput { () -> Void in
            do {
                if !twin { try checked { _ = probe.debug { m.graph.print(m.hidden, message: "hidden:") }; fault = here() } }
                let session = Session(graph: m.graph)
                try session.run(m.graph.initializeVariables())
                probe.startRunning()
                for (x, y) in faultBatches(steps: 1) {
                    hidden = try session.run(m.hidden, feed: [m.x: x])
                    try session.run(m.train, feed: feed(m, x, y))
                }
            } catch { probe.record(error) }
        }
        _ = m.train
        m.train = nil
        probe.collect()
        probe.observation.printed = hidden.map { showsValues(output, of: $0) } == true ? output : nil
        return probe.observation.judge(.printIntermediate, frontend: frontend, op: "print", shapes: [], line: fault)
    }

    /// An accuracy node built inside the training loop: the graph grows every step.
    /// The twin builds the accuracy node once, before the loop.
    static func opsInLoop(twin: Bool) -> FaultResult {
        let m = buildModel()
        let probe = FaultProbe { m.graph.warnings }
        var fault: SourceLocation?
        do {
            let built = twin ? m.hidden.argmax(dim: 1) : nil  // the twin builds it before the first run
            let session = Session(graph: m.graph)
            try session.run(m.graph.initializeVariables())
            probe.startRunning()
            for (x, y) in faultBatches(steps: 4) {
                let predictions = built ?? m.hidden.argmax(dim: 1); fault = here()
                try checked { _ = try session.run([m.train, predictions], feed: feed(m, x, y)) }
            }
        } catch { probe.record(error) }
        probe.collect()
        return probe.observation.judge(.opsInLoop, frontend: frontend, op: "argmax", shapes: [], line: fault)
    }
}
