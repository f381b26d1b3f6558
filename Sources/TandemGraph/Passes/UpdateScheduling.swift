/// Splits each optimizer train op into one update per variable, placed as early as is safe:
/// right after the later of the variable's gradient and the last read of the variable (or of a
/// view of it). The train op itself becomes a group after them.
///
/// This is part of memory planning, not an optional pass: it changes no value (every read of a
/// variable in the run still sees its old value), but a gradient's buffer is free as soon as its
/// update is done, so a training step never holds every gradient at once (eager `.grad`s do),
/// and the variable's buffer is no longer shared by then, so the update runs in place.
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
            var latest = i
            for (k, v) in update.variables.enumerated() {
                var position = instruction.inputs[k]
                if let read = readOfVariable[v] { position = Swift.max(position, lastRead[read], read) }
                after[position].append(.part(of: i, k: k))
                latest = Swift.max(latest, position)
            }
            after[latest].append(.group(of: i))
        }

        var renumber = [Int](repeating: -1, count: old.count)
        var parts: [Int: [Int]] = [:]
        var emitted: [Program.Instruction] = []
        for (i, instruction) in old.enumerated() {
            if !isSplit[i] {
                var copy = instruction
                copy.inputs = copy.inputs.map { renumber[$0] }
                renumber[i] = emitted.count
                emitted.append(copy)
            }
            for item in after[i].sorted(by: { a, _ in if case .part = a { return true } else { return false } }) {
                switch item {
                case let .part(of: u, k: k):
                    guard case .update(let update, let id, _) = old[u].kind else { continue }
                    parts[u, default: []].append(emitted.count)
                    emitted.append(Program.Instruction(
                        kind: .update(update, nodeID: id, part: k), inputs: [renumber[old[u].inputs[k]]],
                        origin: old[u].origin, shape: [0]))
                case let .group(of: u):
                    renumber[u] = emitted.count
                    emitted.append(Program.Instruction(kind: .group, inputs: parts[u] ?? [], origin: old[u].origin, shape: [0]))
                }
            }
        }
        program.instructions = emitted
        program.outputs = program.outputs.map { renumber[$0] }
    }
}
