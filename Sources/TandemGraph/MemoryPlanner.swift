/// The static memory planner: from a program's execution order it knows when each value is
/// made and when it is last read, and assigns the outputs of the steps to a small set of
/// buffers so that values whose lifetimes do not overlap share memory.
///
/// Lifetimes follow views: a `reshape` or `transpose` shares its input's buffer, so that buffer
/// lives until the last read of any view of it. Fetched values are never planned (the caller
/// keeps them), nor are variables, constants and fed values (the session, the plan or the
/// caller hold those). The buffers stay with the plan, so a training loop in steady state
/// allocates (almost) nothing, and because the assignment is best-fit over lifetimes (a gradient
/// buffer freed by its variable's update is reused by the next layer's larger gradient), the
/// plan's memory is close to the largest set of values alive at one time.
struct MemoryPlan {
    /// For each step, the values (by step index) last read by it, to drop after it runs.
    let releaseAfter: [[Int]]
    /// For each step, the step whose buffer its value lives in (itself, or the root of a view).
    private let root: [Int]
    /// For each planned root, the last step that reads it or a view of it; nil if not planned.
    private let lifetimeEnd: [Int?]
    /// For each elementwise step, the inputs whose buffer it may write its output into: values
    /// (not views) it reads at the same index it writes, read for the last time by this step.
    private let inPlaceCandidates: [[Int]]

    /// Plans a program: a fetched value lives to the end of the run; a value nobody reads is
    /// dropped right after it is made.
    init(_ program: Program) {
        let n = program.instructions.count
        var lastUse = [Int](repeating: -1, count: n)
        for (i, instruction) in program.instructions.enumerated() {
            for input in instruction.inputs { lastUse[input] = Swift.max(lastUse[input], i) }
        }
        for output in program.outputs { lastUse[output] = Int.max }
        var releaseAfter = [[Int]](repeating: [], count: n)
        for i in 0..<n where lastUse[i] != Int.max {
            releaseAfter[lastUse[i] == -1 ? i : lastUse[i]].append(i)
        }
        self.releaseAfter = releaseAfter

        var root = Array(0..<n)
        var plannable = [Bool](repeating: false, count: n)
        for (i, instruction) in program.instructions.enumerated() {
            guard let op = instruction.op else { continue }
            if op.mayAliasInput {
                root[i] = root[instruction.inputs[0]]
            } else {
                plannable[i] = true
            }
        }
        var end = [Int?](repeating: nil, count: n)
        for i in 0..<n where plannable[i] { end[i] = i }
        for i in 0..<n {
            let r = root[i]
            guard plannable[r], let current = end[r] else { continue }
            // A fetched value (or a view of it) escapes to the caller: never plan its buffer.
            end[r] = lastUse[i] == Int.max ? nil : Swift.max(current, lastUse[i])
        }
        // A root whose view escaped must stay unplanned even if visited before the view.
        for i in 0..<n where lastUse[i] == Int.max && plannable[root[i]] { end[root[i]] = nil }
        self.root = root
        self.lifetimeEnd = end
        inPlaceCandidates = program.instructions.enumerated().map { i, instruction in
            guard let op = instruction.op, op.isElementwise else { return [] }
            return instruction.inputs.filter { j in root[j] == j && end[j] == i && plannable[j] }
        }
    }

    /// Assigns buffers for the output sizes `counts` (elements per step, -1 when unknown):
    /// returns each step's buffer (-1: allocate as usual) and each buffer's capacity.
    func assignBuffers(counts: [Int]) -> (buffer: [Int], capacities: [Int]) {
        var buffer = [Int](repeating: -1, count: counts.count)
        var capacities: [Int] = []
        var occupied: [[ClosedRange<Int>]] = []
        var tenant: [Int: Int] = [:]  // the step whose value starts a lifetime
        let candidates = counts.indices
            .filter { lifetimeEnd[$0] != nil && root[$0] == $0 && counts[$0] > 0 }
            .sorted { counts[$0] != counts[$1] ? counts[$0] > counts[$1] : $0 < $1 }
        for i in candidates {
            let life = i...lifetimeEnd[i]!
            var best = -1
            for b in capacities.indices where capacities[b] >= counts[i] {
                guard !occupied[b].contains(where: { $0.overlaps(life) && !sharesInPlace(i, $0) }) else { continue }
                if best < 0 || capacities[b] < capacities[best] { best = b }
            }
            if best < 0 {
                best = capacities.count
                capacities.append(counts[i])
                occupied.append([])
            }
            occupied[best].append(life)
            tenant[life.lowerBound] = i
            buffer[i] = best
        }
        return (buffer, capacities)

        /// Whether step `i` may take over the buffer of the tenant living `other`: the tenant is
        /// an input of `i`'s elementwise op, of the same size, that dies exactly at `i`.
        func sharesInPlace(_ i: Int, _ other: ClosedRange<Int>) -> Bool {
            guard other.upperBound == i, let j = tenant[other.lowerBound] else { return false }
            return counts[j] == counts[i] && inPlaceCandidates[i].contains(j)
        }
    }
}
