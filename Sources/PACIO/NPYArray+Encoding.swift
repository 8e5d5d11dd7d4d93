import Foundation
import PACEngine

extension NPYArray {
    /// The bytes of a .npy file (version 1.0, `<f4`, C order) holding `tensor`, laid out as
    /// NumPy writes it: the header is space-padded so the data starts at a multiple of 64 bytes.
    public static func encode(_ tensor: Tensor) -> Data {
        var data = NPYHeader.encode(descr: NPYDType.float32.descr, shape: tensor.shape)
        let count = tensor.count
        data.reserveCapacity(data.count + 4 * count)
        guard count > 0 else { return data }
        tensor.withUnsafePointer { scalars in
            if 1.littleEndian == 1 {
                data.append(UnsafeBufferPointer(start: scalars, count: count))  // no intermediate copy
            } else {
                appendLittleEndian(UnsafeBufferPointer(start: scalars, count: count).map(\.bitPattern), to: &data)
            }
        }
        return data
    }

    /// The bytes of a .npy file (`<i8`, C order) holding `integers` with the given shape.
    public static func encode(integers: [Int], shape: [Int]) -> Data {
        precondition(shape.allSatisfy { $0 >= 0 } && shape.reduce(1, *) == integers.count,
                     "shape \(shape) needs \(shape.reduce(1, *)) integers, got \(integers.count)")
        var data = NPYHeader.encode(descr: NPYDType.int64.descr, shape: shape)
        data.reserveCapacity(data.count + 8 * integers.count)
        appendLittleEndian(integers.map { Int64($0) }, to: &data)
        return data
    }

    /// The bytes of a .npy file (C order) holding one-byte elements (`uint8`, `int8` as two's
    /// complement, or `bool` as 0/1) with the given shape, e.g. images.
    public static func encode(bytes: [UInt8], dtype: NPYDType, shape: [Int]) -> Data {
        precondition(dtype.byteCount == 1, "encode(bytes:) writes one-byte types, not \(dtype)")
        precondition(shape.allSatisfy { $0 >= 0 } && shape.reduce(1, *) == bytes.count,
                     "shape \(shape) needs \(shape.reduce(1, *)) elements, got \(bytes.count)")
        var data = NPYHeader.encode(descr: dtype.descr, shape: shape)
        data.append(contentsOf: bytes)
        return data
    }

    /// .npy data written by this encoder is always little-endian, whatever the host.
    private static func appendLittleEndian<T: FixedWidthInteger>(_ values: [T], to data: inout Data) {
        if 1.littleEndian == 1 {
            values.withUnsafeBytes { data.append(contentsOf: $0) }
        } else {
            values.map(\.littleEndian).withUnsafeBytes { data.append(contentsOf: $0) }
        }
    }
}
