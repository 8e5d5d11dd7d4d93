import Foundation

/// The header of a .npy file: a Python dict literal such as
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`, space-padded, ending in `\n`.
///
/// The literal is parsed properly (any key order, any spacing, trailing commas, `()` and `(5,)`
/// shapes, Python 2 `3L` integers) rather than pattern-matched, since writers other than NumPy
/// format it differently.
struct NPYHeader {
    var dtype: NPYDType
    var bigEndian: Bool
    var shape: [Int]
    /// Elements the shape holds.
    var count: Int
    /// Bytes the data must have.
    var byteCount: Int

    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)
    /// NumPy aligns the data to 64 bytes so it can be memory-mapped with any element type.
    static let alignment = 64

    /// Parses and validates the header dict `text` of the file at `path`.
    static func parse(_ text: UnsafeRawBufferPointer, path: String) throws(DataError) -> NPYHeader {
        var parser = PythonLiteralParser(text: Array(text))
        let entries: [String: PythonLiteralParser.Entry]
        do throws(PythonLiteralParser.SyntaxError) {
            entries = try parser.dictionary()
        } catch {
            throw .npyBadHeader(path: path, reason: error.reason)
        }
        for key in ["descr", "fortran_order", "shape"] where entries[key] == nil {
            throw .npyBadHeader(path: path, reason: "missing key '\(key)'")
        }

        let descr = entries["descr"]!
        guard case .string(let typeString) = descr.value else {
            // Structured dtypes are lists of fields; name them as written.
            throw .npyUnsupportedDType(path: path, dtype: descr.source)
        }
        guard let (dtype, bigEndian) = NPYDType.parse(descr: typeString) else {
            throw .npyUnsupportedDType(path: path, dtype: typeString)
        }

        switch entries["fortran_order"]!.value {
        case .bool(false): break
        case .bool(true): throw .npyFortranOrder(path: path)
        default: throw .npyBadHeader(path: path, reason: "'fortran_order' must be True or False")
        }

        let shapeEntry = entries["shape"]!
        let badShape = DataError.npyBadHeader(
            path: path, reason: "'shape' must be a tuple of non-negative integers, got \(shapeEntry.source)")
        guard case .sequence(let items) = shapeEntry.value else { throw badShape }
        var shape: [Int] = []
        var count = 1
        for item in items {
            guard case .integer(let extent) = item, extent >= 0 else { throw badShape }
            shape.append(extent)
            let (product, overflow) = count.multipliedReportingOverflow(by: extent)
            guard !overflow else { throw .npyBadHeader(path: path, reason: "shape \(shapeEntry.source) is too large") }
            count = product
        }
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: dtype.byteCount)
        guard !overflow else { throw .npyBadHeader(path: path, reason: "shape \(shapeEntry.source) is too large") }
        return NPYHeader(dtype: dtype, bigEndian: bigEndian, shape: shape, count: count, byteCount: byteCount)
    }

    /// The complete preamble and header for a C-order array, padded so the data that follows
    /// starts at a multiple of 64 bytes; version 1.0 unless the header needs a 4-byte length.
    static func encode(descr: String, shape: [Int]) -> Data {
        let dict = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(DataError.pythonShape(shape)), }"
        for (major, lengthBytes) in [(UInt8(1), 2), (UInt8(2), 4)] {
            let preamble = magic.count + 2 + lengthBytes
            let unpadded = preamble + dict.utf8.count + 1  // + the closing newline
            let padding = (alignment - unpadded % alignment) % alignment
            let headerLength = dict.utf8.count + padding + 1
            if lengthBytes == 2 && headerLength > Int(UInt16.max) { continue }

            var data = Data(magic)
            data.append(contentsOf: [major, 0])
            for byte in 0..<lengthBytes { data.append(UInt8(truncatingIfNeeded: headerLength >> (8 * byte))) }
            data.append(contentsOf: dict.utf8)
            data.append(contentsOf: repeatElement(UInt8(ascii: " "), count: padding))
            data.append(UInt8(ascii: "\n"))
            return data
        }
        preconditionFailure("a .npy header cannot exceed 4 GiB")
    }
}
