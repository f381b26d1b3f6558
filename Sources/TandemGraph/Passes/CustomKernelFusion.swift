/// Computes several custom-kernel nodes that share a ``CustomKernel/fusionKey`` with one kernel
/// call (Horovod's tensor fusion: many small allreduces become one large one, paying the
/// per-message latency once).
///
/// A group is formed in program order: a node joins while the group's first inputs stay within
/// the kernel's ``CustomKernel/fusionThresholdBytes`` and no earlier member's value is read before
/// the node (the fused call runs where the last member was, so every member's value must be
/// needed only after it). The fused instruction reads the members' first inputs, packed into one
/// flat vector at run time, then their other inputs; one `slice` view per member gives each reader
/// its part. Members need fully known static shapes (the offsets are fixed when planning).
enum CustomKernelFusion {
    static func run(_ program: inout Program) {
        let old = program.instructions
        let live = program.liveInstructions()
        var firstRead = [Int](repeating: Int.max, count: old.count)
        for (i, instruction) in old.enumerated() {
            for input in instruction.inputs { firstRead[input] = Swift.min(firstRead[input], i) }
        }

        // Form the groups.
        var groups: [[Int]] = []
        var current: [Int] = []
        var currentKey: String?
        var currentBytes = 0
        func close() {
            if current.count > 1 { groups.append(current) }
            current = []
            currentKey = nil
            currentBytes = 0
        }
        for (i, instruction) in old.enumerated() where live[i] {
            guard case .custom(let kernel) = instruction.kind, let key = kernel.fusionKey,
                  !instruction.inputs.isEmpty, !instruction.shape.contains(unknownDim),
                  old[instruction.inputs[0]].shape == instruction.shape
            else { continue }
            let bytes = instruction.shape.reduce(1, *) * MemoryLayout<Float>.stride
            let fits = key == currentKey && currentBytes + bytes <= kernel.fusionThresholdBytes
                && current.allSatisfy { firstRead[$0] > i }
            if !fits { close() }
            if current.isEmpty { currentKey = key }
            current.append(i)
            currentBytes += bytes
        }
        close()
        guard !groups.isEmpty else { return }

        // Rewrite: each group's call where its last member was, then one slice per member.
        var lastOfGroup: [Int: [Int]] = [:]
        var fusedAway = Set<Int>()
        for group in groups {
            lastOfGroup[group.last!] = group
            fusedAway.formUnion(group.dropLast())
        }
        var renumber = [Int](repeating: -1, count: old.count)
        var emitted: [Program.Instruction] = []
        for (i, instruction) in old.enumerated() {
            if fusedAway.contains(i) { continue }
            guard let group = lastOfGroup[i], case .custom(let kernel) = instruction.kind else {
                var copy = instruction
                copy.inputs = copy.inputs.map { renumber[$0] }
                renumber[i] = emitted.count
                emitted.append(copy)
                continue
            }
            var packed: [Int] = []
            var ordering: [Int] = []
            for member in group {
                packed.append(renumber[old[member].inputs[0]])
                for input in old[member].inputs.dropFirst() where !ordering.contains(renumber[input]) {
                    ordering.append(renumber[input])
                }
            }
            let total = group.reduce(0) { $0 + old[$1].shape.reduce(1, *) }
            let fused = emitted.count
            emitted.append(Program.Instruction(
                kind: .fusedCustom(kernel, members: group.map { old[$0].origin }), inputs: packed + ordering,
                origin: instruction.origin, shape: [total]))
            var offset = 0
            for member in group {
                renumber[member] = emitted.count
                emitted.append(Program.Instruction(
                    kind: .slice(offset: offset), inputs: [fused], origin: old[member].origin, shape: old[member].shape))
                offset += old[member].shape.reduce(1, *)
            }
        }
        program.instructions = emitted
        program.outputs = program.outputs.map { renumber[$0] }
    }
}
