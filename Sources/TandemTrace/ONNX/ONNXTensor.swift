import Foundation
import TandemKernels
import TandemProtos

/// Conversions between Tandem's `NDArray` (Float32) and ONNX's `TensorProto`.
enum ONNXTensor {
    /// A FLOAT tensor named `name` holding `array`, its data in `raw_data` (little-endian), as
    /// PyTorch's exporter writes weights.
    static func proto(_ array: NDArray, name: String) -> Onnx_TensorProto {
        var tensor = Onnx_TensorProto()
        tensor.name = name
        tensor.dataType = Int32(Onnx_TensorProto.DataType.float.rawValue)
        tensor.dims = array.shape.map(Int64.init)
        let scalars = array.contiguous().scalars
        var raw = Data(capacity: scalars.count * 4)
        for value in scalars { withUnsafeBytes(of: value.bitPattern.littleEndian) { raw.append(contentsOf: $0) } }
        tensor.rawData = raw
        return tensor
    }

    /// An INT64 tensor (shapes, axes, indices) of the given shape.
    static func proto(int64 values: [Int64], shape: [Int], name: String) -> Onnx_TensorProto {
        var tensor = Onnx_TensorProto()
        tensor.name = name
        tensor.dataType = Int32(Onnx_TensorProto.DataType.int64.rawValue)
        tensor.dims = shape.map(Int64.init)
        tensor.int64Data = values
        return tensor
    }

    /// The values of a numeric tensor as Float (FLOAT, DOUBLE, INT32, INT64, INT8, UINT8, BOOL),
    /// from its typed field or its raw data.
    static func floats(_ tensor: Onnx_TensorProto, path: String) throws -> NDArray {
        let shape = tensor.dims.map(Int.init)
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw TandemError.file(path: path, reason: "tensor '\(tensor.name)' has a negative dimension \(shape)")
        }
        let count = shape.reduce(1, *)
        let values: [Float]
        guard let type = Onnx_TensorProto.DataType(rawValue: Int(tensor.dataType)) else {
            throw TandemError.file(path: path, reason: "tensor '\(tensor.name)' has unknown data type \(tensor.dataType)")
        }
        if tensor.dataLocation == .external {
            throw TandemError.file(path: path, reason: "tensor '\(tensor.name)' keeps its data in an external file, which the importer does not read")
        }
        let raw = [UInt8](tensor.rawData)
        func fromRaw<T>(_ width: Int, _ convert: (UInt64) -> T) throws -> [T] {
            guard raw.count == count * width else {
                throw TandemError.file(
                    path: path, reason: "tensor '\(tensor.name)' of shape \(formatShape(shape)) has \(raw.count) raw bytes, expected \(count * width)")
            }
            return (0..<count).map { i in
                convert((0..<width).reduce(UInt64(0)) { $0 | UInt64(raw[i * width + $1]) << ($1 * 8) })
            }
        }
        let useRaw = tensor.hasRawData
        switch type {
        case .float:
            values = useRaw ? try fromRaw(4) { Float(bitPattern: UInt32(truncatingIfNeeded: $0)) } : tensor.floatData
        case .double:
            values = useRaw ? try fromRaw(8) { Float(Double(bitPattern: $0)) } : tensor.doubleData.map(Float.init)
        case .int64:
            values = useRaw ? try fromRaw(8) { Float(Int64(bitPattern: $0)) } : tensor.int64Data.map(Float.init)
        case .int32:
            values = useRaw ? try fromRaw(4) { Float(Int32(truncatingIfNeeded: $0)) } : tensor.int32Data.map(Float.init)
        case .int8:
            values = useRaw ? try fromRaw(1) { Float(Int8(truncatingIfNeeded: $0)) } : tensor.int32Data.map(Float.init)
        case .uint8, .bool:
            values = useRaw ? try fromRaw(1) { Float(UInt8(truncatingIfNeeded: $0)) } : tensor.int32Data.map(Float.init)
        default:
            throw TandemError.file(path: path, reason: "tensor '\(tensor.name)' has data type \(type), which the importer does not read")
        }
        guard values.count == count else {
            throw TandemError.file(
                path: path, reason: "tensor '\(tensor.name)' of shape \(formatShape(shape)) holds \(values.count) values, expected \(count)")
        }
        return NDArray(shape: shape, scalars: values)
    }
}
