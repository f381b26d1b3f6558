import Foundation

/// The graph file format (`.tgraph`), version 2: one file with the graph and its weights,
/// loadable by a program that has none of the code that built the graph.
///
/// All integers are little-endian.
///
/// | bytes | content |
/// |---|---|
/// | 8 | magic `TNDMGRPH` |
/// | 4 | UInt32 format version (2; version 1 files load too) |
/// | 8 | UInt64 length H of the header |
/// | H | UTF-8 JSON header: `{"version": 2, "nodes": [...], "subGraphs": [...]}` |
/// | 8 | UInt64 length D of the data section, in bytes |
/// | D | float32 values of constants and variables, back to back |
/// | 8 | UInt64 FNV-1a 64 checksum of the header and data bytes |
///
/// Each header node has `name`, `kind` (`placeholder`, `labels`, `constant`, `variable`, `op`,
/// `print`, `init`, `update`, `assign`, `group`, `identity`, `training`, `custom`), `inputs`
/// (indices of earlier nodes), `shape` (-1 for unknown dimensions), `file`/`line` (the source line
/// that created it), and as needed `op` (name plus attributes, see `SerializedOp`), `data` (offset
/// and count of its floats in the data section), `trainable`, `message`, `variables` (an
/// initializer's, an update's, or the one an assign writes) and `rule` (an optimizer's update,
/// with its learning-rate input and global step), `slots` (an update's optimizer state: name,
/// shape and data of each slot, when a session was saved), `function` (a training function:
/// learning-rate decay, global norm, clip factor), and `kernel`/`attributes` (a custom kernel's
/// registered name and what rebuilds it). Control flow (version 2) adds node kinds `control_flow`
/// (with `controlFlow`: the construct, its sub-graphs by index, `maximumIterations`, the number of
/// leading inputs and the output shapes), `output` and `argument` (with `index`), a `frame` on
/// every node built inside a sub-graph, and the header's `subGraphs` (role, parent, forward,
/// results, scope, line); see `GraphFile+ControlFlow.swift`. Files written before `slots`,
/// `function`, `kernel`, the rule's new fields and control flow existed load as before (each is
/// optional).
/// Readers reject an unknown magic, a newer version, lengths past the end, a bad checksum, and
/// nodes that do not validate (unknown ops, forward references, shapes that do not follow).
enum GraphFile {
    static let magic = Array("TNDMGRPH".utf8)
    static let version: UInt32 = 2

    struct Header: Codable {
        var version: Int
        var nodes: [NodeRecord]
        /// The sub-graphs of control-flow nodes (version 2).
        var subGraphs: [SubGraphRecord]?
    }

    struct Rule: Codable {
        var kind: String
        var learningRate: Float
        var momentum: Float?
        var beta1: Float?
        var beta2: Float?
        var epsilon: Float?
        var nesterov: Bool?
        /// RMSProp's mean-square decay.
        var decay: Float?
        /// AdamW's decoupled weight decay.
        var weightDecay: Float?
        /// The learning rate is the update's last input.
        var learningRateIsInput: Bool?
        /// The variable index of the global step the update increments.
        var globalStep: Int?
    }

    /// A training function (`TrainingFunction`): its kind and parameters.
    struct Function: Codable {
        var kind: String
        var learningRate: Float?
        var decaySteps: Int?
        var decayRate: Float?
        var staircase: Bool?
        var alpha: Float?
        var clipNorm: Float?
    }

    /// A named array in the data section (an optimizer slot of an update node).
    struct Tensor: Codable {
        var name: String
        var shape: [Int]
        var data: DataRange
    }

    struct DataRange: Codable {
        var offset: Int
        var count: Int
    }

    struct NodeRecord: Codable {
        var name: String
        var kind: String
        var inputs: [Int]
        var shape: [Int]
        var file: String?
        var line: Int?
        var op: SerializedOp?
        var data: DataRange?
        var trainable: Bool?
        var message: String?
        var variables: [Int]?
        var rule: Rule?
        var function: Function?
        /// An update node's optimizer slots in the saving session (`Session.optimizerSlots(of:)`).
        var slots: [Tensor]?
        var kernel: String?
        var attributes: [String: String]?
        /// The sub-graph (by index in the header's `subGraphs`) the node was built in.
        var frame: Int?
        /// A control-flow node's construct and sub-graphs.
        var controlFlow: ControlFlowRecord?
        /// An output's or argument's index.
        var index: Int?
    }

    /// FNV-1a 64 of some bytes, continuing from `hash`.
    static func fnv1a(_ bytes: UnsafeRawBufferPointer, hash: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 {
        var h = hash
        for byte in bytes {
            h ^= UInt64(byte)
            h = h &* 0x0000_0100_0000_01b3
        }
        return h
    }
}
