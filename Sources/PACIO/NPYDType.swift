/// The element types `NPYArray` reads from .npy files.
public enum NPYDType: String, Sendable, CaseIterable {
    /// `<f4` / `>f4`.
    case float32
    /// `<f8` / `>f8`.
    case float64
    /// `|i1`.
    case int8
    /// `|u1` (e.g. image pixels).
    case uint8
    /// `|b1` (NumPy `bool`, e.g. attribute masks), one byte holding 0 or 1; read as 0 and 1.
    case bool
    /// `<i4` / `>i4` (NumPy's default integer on Windows before 2.0).
    case int32
    /// `<i8` / `>i8` (NumPy's default integer elsewhere).
    case int64

    /// Bytes per element.
    public var byteCount: Int {
        switch self {
        case .int8, .uint8, .bool: return 1
        case .float32, .int32: return 4
        case .float64, .int64: return 8
        }
    }

    /// The little-endian NumPy type string this reader would write, e.g. `<f4`, `|u1`.
    public var descr: String {
        switch self {
        case .float32: return "<f4"
        case .float64: return "<f8"
        case .int8: return "|i1"
        case .uint8: return "|u1"
        case .bool: return "|b1"
        case .int32: return "<i4"
        case .int64: return "<i8"
        }
    }

    /// The type and byte order a NumPy type string names, or nil if unsupported.
    ///
    /// Single-byte types have no byte order, so any order character is accepted for them.
    static func parse(descr: String) -> (dtype: NPYDType, bigEndian: Bool)? {
        guard descr.utf8.count == 3, let order = descr.first, "<>|=".contains(order) else { return nil }
        let kind = descr.dropFirst()
        switch kind {
        case "u1": return (.uint8, false)
        case "i1": return (.int8, false)
        case "b1": return (.bool, false)
        default: break
        }
        // '|' (not applicable) and '=' (native) never describe multi-byte types in saved files.
        guard order == "<" || order == ">" else { return nil }
        let bigEndian = order == ">"
        switch kind {
        case "f4": return (.float32, bigEndian)
        case "f8": return (.float64, bigEndian)
        case "i4": return (.int32, bigEndian)
        case "i8": return (.int64, bigEndian)
        default: return nil
        }
    }
}
