/// The safetensors element types this package can read, each converted to `Float` on load.
enum SafetensorsDType: String, CaseIterable {
    case f32 = "F32"
    case f64 = "F64"
    case f16 = "F16"
    case bf16 = "BF16"
    case i64 = "I64"
    case i32 = "I32"
    case u8 = "U8"
    case bool = "BOOL"

    /// Bytes per element.
    var size: Int {
        switch self {
        case .f64, .i64: 8
        case .f32, .i32: 4
        case .f16, .bf16: 2
        case .u8, .bool: 1
        }
    }

    /// Converts `count` little-endian elements at `source` (any alignment) to `Float`s.
    func decode(_ source: UnsafeRawBufferPointer, count: Int) -> [Float] {
        precondition(source.count == count * size, "decode of \(source.count) bytes as \(count) \(rawValue)")
        guard count > 0 else { return [] }
        if self == .f32 {
            #if _endian(little)
            // Native layout: one copy, which also preserves NaN payloads bit for bit.
            return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: source)
                initialized = count
            }
            #endif
        }
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            for i in 0..<count { buffer[i] = element(i, in: source) }
            initialized = count
        }
    }

    @inline(__always)
    private func element(_ i: Int, in source: UnsafeRawBufferPointer) -> Float {
        switch self {
        case .f32: Float(bitPattern: UInt32(littleEndian: source.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)))
        case .f64: Float(Double(bitPattern: UInt64(littleEndian: source.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))))
        case .f16: Self.float(fromHalf: UInt16(littleEndian: source.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)))
        case .bf16: Self.float(fromBFloat16: UInt16(littleEndian: source.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)))
        case .i64: Float(Int64(littleEndian: source.loadUnaligned(fromByteOffset: i * 8, as: Int64.self)))
        case .i32: Float(Int32(littleEndian: source.loadUnaligned(fromByteOffset: i * 4, as: Int32.self)))
        case .u8: Float(source[i])
        case .bool: source[i] == 0 ? 0 : 1
        }
    }

    /// IEEE 754 binary16 → binary32. Every half value is exactly representable as a float, so
    /// this is a re-encoding of sign, exponent and mantissa (NaN payloads are kept).
    static func float(fromHalf bits: UInt16) -> Float {
        let sign = UInt32(bits >> 15) << 31
        let exponent = UInt32(bits >> 10) & 0x1F
        let mantissa = UInt32(bits) & 0x3FF
        switch exponent {
        case 0:
            // Zero or subnormal: mantissa × 2⁻²⁴, exact in Float.
            let magnitude = Float(mantissa) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        case 0x1F:
            return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13)  // infinity or NaN
        default:
            return Float(bitPattern: sign | (exponent + 127 - 15) << 23 | mantissa << 13)
        }
    }

    /// bfloat16 → binary32: bfloat16 is the top half of a float's bit pattern.
    static func float(fromBFloat16 bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }
}
