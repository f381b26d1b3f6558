import XCTest
@testable import TandemGraph

/// `a < b` as a control-flow predicate: 1 where true, 0 where false.
func isLess(_ a: Node, _ b: Node) -> Node { a.less(b) }

/// `x * a^n` by a loop whose trip count `n` is fed: loop variables (i, x), condition i < n.
/// Returns the loop's outputs (the final counter and value).
func powerLoop(
    _ g: Graph, x: Node, a: Node, n: Node, maximumIterations: Int? = nil, file: StaticString = #fileID, line: UInt = #line
) -> [Node] {
    g.whileLoop(
        condition: { v in isLess(v[0], n) },
        body: { v in [v[0] + 1, v[1] * a] },
        loopVariables: [g.constant(NDArray(0)), x], maximumIterations: maximumIterations, file: file, line: line)
}

/// The compiled control-flow steps of a session's plan for `fetches` (for tests that look at
/// what a loop records or how its body was optimised).
func controlFlowSteps(_ session: Session, _ fetches: [Node], fed: [Node]) throws -> [ControlFlowStep] {
    try session.plan(for: fetches, fed: fed).steps.compactMap { step in
        if case .controlFlow(let flowStep) = step.action { return flowStep }
        return nil
    }
}
