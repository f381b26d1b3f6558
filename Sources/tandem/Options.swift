import ArgumentParser
import Foundation
import TandemCompare

/// The model choice shared by the subcommands.
enum ModelChoice: String, ExpressibleByArgument, CaseIterable {
    case mlp, cnn, lenet5, all, lstm
    case resnet

    var specs: [ModelSpec] {
        switch self {
        case .mlp: return [ModelSpec(name: "mlp")!]
        case .cnn: return [.simpleCNN]
        case .lenet5: return [.lenet5]
        case .resnet: return [.resnet]
        case .all: return [ModelSpec(name: "mlp")!, .simpleCNN]
        case .lstm: return [.lstm]
        }
    }
}

/// The frontend choice of `train`.
enum FrontendChoice: String, ExpressibleByArgument, CaseIterable {
    case eager, graph
}

/// Prints to standard error (progress and notes; tables go to standard output).
func note(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// Writes a JSON object atomically (creating the directory when needed).
func writeJSON(_ object: Any, to path: String) throws {
    let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
    try writeAtomically(data, to: URL(fileURLWithPath: path), createDirectory: true)
}
