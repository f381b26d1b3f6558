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

/// Checks, before any training, that an output path can be written: a file path must not be a
/// directory and its nearest existing ancestor must be a writable directory (missing
/// directories are created on write); a directory path must be a writable directory or
/// creatable. One bad path then fails at once instead of losing a finished run's results.
func checkOutputPath(_ path: String?, option: String, isDirectory: Bool = false) throws {
    guard let path else { return }
    let manager = FileManager.default
    let url = URL(fileURLWithPath: path)
    var existsAsDirectory: ObjCBool = false
    if manager.fileExists(atPath: url.path, isDirectory: &existsAsDirectory) {
        if existsAsDirectory.boolValue != isDirectory {
            throw ValidationError("\(option) \(path): \(isDirectory ? "is a file, not a directory" : "is a directory, not a file")")
        }
        guard manager.isWritableFile(atPath: isDirectory ? url.path : url.deletingLastPathComponent().path) else {
            throw ValidationError("\(option) \(path): not writable")
        }
        return
    }
    var ancestor = url.deletingLastPathComponent()
    while !manager.fileExists(atPath: ancestor.path, isDirectory: &existsAsDirectory), ancestor.path != "/" {
        ancestor = ancestor.deletingLastPathComponent()
    }
    guard existsAsDirectory.boolValue else {
        throw ValidationError("\(option) \(path): \(ancestor.path) is a file, so the path cannot be created")
    }
    guard manager.isWritableFile(atPath: ancestor.path) else {
        throw ValidationError("\(option) \(path): the directory \(ancestor.path) is not writable")
    }
}

/// Checks, before any training, that an input file exists and is readable.
func checkInputFile(_ path: String?, option: String) throws {
    guard let path else { return }
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
        FileManager.default.isReadableFile(atPath: path)
    else { throw ValidationError("\(option) \(path): no readable file there") }
}
