/// Splits each optimizer train op into one update per variable, placed as early as is safe:
/// right after the later of the variable's gradient, the learning rate (when it is a node) and
/// the last read of the variable (or of a view of it). The train op itself becomes a group after
/// them, or, when it counts a global step, the increment of that step.
///
/// This is part of memory planning, not an optional pass: it changes no value (every read of a
/// variable in the run still sees its old value), but a gradient's buffer is free as soon as its
/// update is done, so a training step never holds every gradient at once (eager `.grad`s do),
/// and the variable's buffer is no longer shared by then, so the update runs in place.
///
/// An instruction that reads a train op (a `group` of train ops) waits until the train op's
/// group is emitted, which may be later than its own position.
enum UpdateScheduling {
    static func run(_ program: inout Program) {
        let old = program.instructions
        guard old.contains(where: { if case .update(_, _, nil) = $0.kind { return true } else { return false } }) else { return }

        // The variable-read instruction each value may alias (through view ops), and the last
        // instruction reading each such root.
        var root = [Int?](repeating: nil, count: old.count)
        var lastRead = [Int](repeating: -1, count: old.count)
        for (i, instruction) in old.enumerated() {
            if case .variable = instruction.kind { root[i] = i }
            if let op = instruction.op, op.mayAliasInput { root[i] = root[instruction.inputs[0]] }
            for input in instruction.inputs { if let r = root[input] { lastRead[r] = Swift.max(lastRead[r], i) } }
        }
        var readOfVariable: [Int: Int] = [:]
        for (i, instruction) in old.enumerated() {
            if case .variable(let v) = instruction.kind { readOfVariable[v] = i }
        }

        // What to emit after each instruction: split updates, then the group replacing the train op.
        enum Scheduled { case part(of: Int, k: Int), group(of: Int) }
        var after = [[Scheduled]](repeating: [], count: old.count)
        var isSplit = [Bool](repeating: false, count: old.count)
        for (i, instruction) in old.enumerated() {
            guard case .update(let update, _, nil) = instruction.kind else { continue }
            isSplit[i] = true
            let rate = update.learningRateIsInput ? instruction.inputs.last : nil
            var latest = i
            for (k, v) in update.variables.enumerated() {
                var position = Swift.max(instruction.inputs[k], rate ?? -1)
                if let read = readOfVariable[v] { position = Swift.max(position, lastRead[read], read) }
                after[position].append(.part(of: i, k: k))
                latest = Swift.max(latest, position)
            }
            after[latest].append(.group(of: i))
        }

        var renumber = [Int](repeating: -1, count: old.count)
        var parts: [Int: [Int]] = [:]
        var emitted: [Program.Instruction] = []
        // Instructions waiting for an input not emitted yet (a train op whose group comes later).
        var waiting: [Int: [Int]] = [:]

        func emit(_ i: Int) {
            if let missing = old[i].inputs.first(where: { renumber[$0] < 0 }) {
                waiting[missing, default: []].append(i)
                return
            }
            var copy = old[i]
            copy.inputs = copy.inputs.map { renumber[$0] }
            renumber[i] = emitted.count
            emitted.append(copy)
            release(i)
        }
        func release(_ i: Int) {
            for j in waiting.removeValue(forKey: i) ?? [] { emit(j) }
        }

        for i in old.indices {
            if !isSplit[i] { emit(i) }
            let parts0 = after[i].filter { if case .part = $0 { return true } else { return false } }
            let groups = after[i].filter { if case .group = $0 { return true } else { return false } }
            for item in parts0 + groups {
                switch item {
                case let .part(of: u, k: k):
                    guard case .update(let update, let id, _) = old[u].kind else { continue }
                    var inputs = [renumber[old[u].inputs[k]]]
                    if update.learningRateIsInput { inputs.append(renumber[old[u].inputs.last!]) }
                    precondition(inputs.allSatisfy { $0 >= 0 }, "UpdateScheduling: an update's gradient or rate was not emitted before it")
                    parts[u, default: []].append(emitted.count)
                    emitted.append(Program.Instruction(
                        kind: .update(update, nodeID: id, part: k), inputs: inputs, origin: old[u].origin, shape: [0]))
                case let .group(of: u):
                    guard case .update(let update, _, _) = old[u].kind else { continue }
                    renumber[u] = emitted.count
                    let kind: Program.Kind = update.globalStep.map { .incrementGlobalStep(variable: $0) } ?? .group
                    emitted.append(Program.Instruction(kind: kind, inputs: parts[u] ?? [], origin: old[u].origin, shape: [0]))
                    release(u)
                }
            }
        }
        precondition(waiting.isEmpty, "UpdateScheduling: instructions left waiting for inputs that were never emitted")
        program.instructions = emitted
        program.outputs = program.outputs.map { renumber[$0] }
    }
}
