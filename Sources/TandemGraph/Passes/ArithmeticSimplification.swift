/// Removes arithmetic that does nothing: `x * 1`, `x / 1`, `x + 0`, `x - 0`, `mulScalar(1)`,
/// `addScalar(0)`, `pow(1)` and `-(-x)` become `x`.
///
/// A binary op is removed only when the constant cannot change the result's shape (broadcasting
/// it against x's static shape gives x's shape), so broadcasting is never lost.
enum ArithmeticSimplification {
    static func run(_ program: inout Program) {
        var forward = Array(program.instructions.indices)
        func resolve(_ i: Int) -> Int {
            var j = i
            while forward[j] != j { j = forward[j] }
            return j
        }
        for i in program.instructions.indices {
            let instruction = program.instructions[i]
            guard let op = instruction.op else { continue }
            let inputs = instruction.inputs.map(resolve)
            func isConstant(_ index: Int, all value: Float, thatKeepsShapeOf other: Int) -> Bool {
                guard let c = program.instructions[index].constantValue else { return false }
                let otherShape = program.instructions[other].shape
                guard (try? broadcastShapes(otherShape, c.shape)) == otherShape else { return false }
                return c.scalars.allSatisfy { $0 == value }
            }
            switch op {
            case .mulScalar(1), .addScalar(0), .pow(1):
                forward[i] = inputs[0]
            case .neg:
                let inner = program.instructions[inputs[0]]
                if inner.op == .neg { forward[i] = resolve(inner.inputs[0]) }
            case .mul:
                if isConstant(inputs[1], all: 1, thatKeepsShapeOf: inputs[0]) {
                    forward[i] = inputs[0]
                } else if isConstant(inputs[0], all: 1, thatKeepsShapeOf: inputs[1]) {
                    forward[i] = inputs[1]
                }
            case .div:
                if isConstant(inputs[1], all: 1, thatKeepsShapeOf: inputs[0]) { forward[i] = inputs[0] }
            case .add:
                if isConstant(inputs[1], all: 0, thatKeepsShapeOf: inputs[0]) {
                    forward[i] = inputs[0]
                } else if isConstant(inputs[0], all: 0, thatKeepsShapeOf: inputs[1]) {
                    forward[i] = inputs[1]
                }
            case .sub:
                if isConstant(inputs[1], all: 0, thatKeepsShapeOf: inputs[0]) { forward[i] = inputs[0] }
            default:
                break
            }
        }
        program.applyRedirects(forward)
    }
}
