import Foundation
import PACEngine

/// An array read from a NumPy `.npy` file (format versions 1.0, 2.0 and 3.0, C order).
///
/// Elements are kept in their file type — a 61M-element `uint8` image array stays 61 MB rather
/// than 490 MB of Doubles — and converted when accessed: `tensor()` for Float32 features,
/// `doubles()` for regression targets, `integers()` for class labels. Float32 data is decoded
/// straight into a `Tensor`, so `tensor()` on it shares that buffer instead of copying.
public struct NPYArray: Sendable {
    /// The file the array came from, as used in error messages.
    public let path: String
    /// The array's shape; `[]` for a scalar.
    public let shape: [Int]
    /// The element type stored in the file (byte order already converted).
    public let dtype: NPYDType

    /// The elements, row-major, in native byte order.
    enum Storage: Sendable {
        case float32(Tensor)
        case float64([Double])
        case int8([Int8])
        case uint8([UInt8])
        case int32([Int32])
        case int64([Int64])
    }

    let storage: Storage

    /// The number of elements (`1` for a scalar).
    public var count: Int { shape.reduce(1, *) }

    // MARK: Reading

    /// Reads the .npy file at `path`.
    public static func read(path: String) throws(DataError) -> NPYArray {
        try decode(try DataFileReader.contents(atPath: path), path: path)
    }

    /// Decodes the bytes of a .npy file; `path` only names the source in error messages.
    public static func decode(_ data: Data, path: String) throws(DataError) -> NPYArray {
        let result = data.withUnsafeBytes { raw in
            Result { () throws(DataError) in try decode(raw, path: path) }
        }
        return try result.get()
    }

    private static func decode(_ raw: UnsafeRawBufferPointer, path: String) throws(DataError) -> NPYArray {
        let magic = NPYHeader.magic
        guard raw.count >= magic.count, raw.prefix(magic.count).elementsEqual(magic) else {
            throw .npyBadMagic(path: path)
        }
        guard raw.count >= magic.count + 2 else {
            throw .npyBadHeader(path: path, reason: "file ends before the format version")
        }
        let major = Int(raw[magic.count]), minor = Int(raw[magic.count + 1])
        // Version 1.0 has a 2-byte header length; 2.0 widened it to 4 bytes and 3.0 only
        // changed the header's text encoding (UTF-8 instead of Latin-1).
        let lengthBytes: Int
        switch (major, minor) {
        case (1, 0): lengthBytes = 2
        case (2, 0), (3, 0): lengthBytes = 4
        default: throw .npyUnsupportedVersion(path: path, major: major, minor: minor)
        }
        let headerStart = magic.count + 2 + lengthBytes
        guard raw.count >= headerStart else {
            throw .npyBadHeader(path: path, reason: "file ends before the header length")
        }
        var headerLength = 0
        for byte in 0..<lengthBytes { headerLength |= Int(raw[magic.count + 2 + byte]) << (8 * byte) }
        let dataStart = headerStart + headerLength
        guard raw.count >= dataStart else {
            throw .npyBadHeader(path: path, reason: "header length \(headerLength) runs past the end of the file")
        }

        let header = try NPYHeader.parse(UnsafeRawBufferPointer(rebasing: raw[headerStart..<dataStart]), path: path)
        let available = raw.count - dataStart
        if available < header.byteCount {
            throw .npyTruncated(path: path, expectedBytes: header.byteCount, actualBytes: available)
        }
        if available > header.byteCount {
            throw .npyTrailingBytes(path: path, expectedBytes: header.byteCount, actualBytes: available)
        }

        let body = UnsafeRawBufferPointer(rebasing: raw[dataStart...])
        let swap = header.bigEndian != (1.bigEndian == 1)
        let n = header.count
        let storage: Storage
        switch header.dtype {
        case .float32:
            storage = .float32(Tensor(shape: header.shape, uninitialized: { out in
                copy(body, into: out, n, swap) { Float(bitPattern: $0.bitPattern.byteSwapped) }
            }))
        case .float64:
            storage = .float64(copy(body, n, swap) { Double(bitPattern: $0.bitPattern.byteSwapped) })
        case .int8:
            storage = .int8(copy(body, n, false) { $0 })
        case .uint8:
            storage = .uint8(copy(body, n, false) { $0 })
        case .bool:
            // NumPy writes 0 and 1; any other byte still means true.
            storage = .uint8(copy(body, n, false) { (byte: UInt8) in byte }.map { $0 == 0 ? 0 : 1 })
        case .int32:
            storage = .int32(copy(body, n, swap) { $0.byteSwapped })
        case .int64:
            storage = .int64(copy(body, n, swap) { $0.byteSwapped })
        }
        return NPYArray(path: path, shape: header.shape, dtype: header.dtype, storage: storage)
    }

    /// Copies `count` elements out of `bytes` (which need not be aligned), byte-swapping each
    /// with `byteSwapped` when the file's byte order differs from the host's.
    private static func copy<T>(_ bytes: UnsafeRawBufferPointer, _ count: Int, _ swap: Bool,
                                byteSwapped: (T) -> T) -> [T] {
        [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 { copy(bytes, into: buffer.baseAddress!, count, swap, byteSwapped: byteSwapped) }
            initialized = count
        }
    }

    private static func copy<T>(_ bytes: UnsafeRawBufferPointer, into out: UnsafeMutablePointer<T>, _ count: Int,
                                _ swap: Bool, byteSwapped: (T) -> T) {
        UnsafeMutableRawPointer(out).copyMemory(from: bytes.baseAddress!, byteCount: count * MemoryLayout<T>.stride)
        if swap {
            for i in 0..<count { out[i] = byteSwapped(out[i]) }
        }
    }

    // MARK: Converting

    /// The elements as a Float32 tensor of the same shape.
    public func tensor() -> Tensor {
        if case .float32(let tensor) = storage { return tensor }
        return Tensor(shape: shape, uninitialized: { out in
            switch storage {
            case .float32: preconditionFailure("handled above")
            case .float64(let values): for i in values.indices { out[i] = Float(values[i]) }
            case .int8(let values): for i in values.indices { out[i] = Float(values[i]) }
            case .uint8(let values): for i in values.indices { out[i] = Float(values[i]) }
            case .int32(let values): for i in values.indices { out[i] = Float(values[i]) }
            case .int64(let values): for i in values.indices { out[i] = Float(values[i]) }
            }
        })
    }

    /// The elements as Doubles, row-major (exact for every type except int64 beyond 2^53).
    public func doubles() -> [Double] {
        switch storage {
        case .float32(let tensor): return tensor.withUnsafePointer { p in (0..<tensor.count).map { Double(p[$0]) } }
        case .float64(let values): return values
        case .int8(let values): return values.map { Double($0) }
        case .uint8(let values): return values.map { Double($0) }
        case .int32(let values): return values.map { Double($0) }
        case .int64(let values): return values.map { Double($0) }
        }
    }

    /// The elements as integers, row-major, e.g. class labels.
    ///
    /// Float arrays are accepted when every value is integral (labels are often saved as
    /// floats); otherwise throws `nonIntegerLabel` naming the first offending element.
    public func integers() throws(DataError) -> [Int] {
        switch storage {
        case .int8(let values): return values.map { Int($0) }
        case .uint8(let values): return values.map { Int($0) }
        case .int32(let values): return values.map { Int($0) }
        case .int64(let values): return values.map { Int($0) }
        case .float32: return try integral(doubles())
        case .float64(let values): return try integral(values)
        }
    }

    private func integral(_ values: [Double]) throws(DataError) -> [Int] {
        var result: [Int] = []
        result.reserveCapacity(count)
        for (flat, value) in values.enumerated() {
            guard let integer = Int(exactly: value) else {
                throw .nonIntegerLabel(location(ofElement: flat), value: value)
            }
            result.append(integer)
        }
        return result
    }

    /// Throws `nanValue` or `infiniteValue` for the first non-finite element, if any.
    public func checkFinite() throws(DataError) {
        let firstBad: (index: Int, value: Double)?
        switch storage {
        case .float32(let tensor):
            firstBad = tensor.withUnsafePointer { p in
                (0..<tensor.count).first { !p[$0].isFinite }.map { ($0, Double(p[$0])) }
            }
        case .float64(let values): firstBad = values.firstIndex { !$0.isFinite }.map { ($0, values[$0]) }
        case .int8, .uint8, .int32, .int64: firstBad = nil
        }
        guard let (index, value) = firstBad else { return }
        throw value.isNaN ? .nanValue(location(ofElement: index)) : .infiniteValue(location(ofElement: index))
    }

    /// The location of the element at row-major `flat` index, as a multi-index.
    public func location(ofElement flat: Int) -> DataLocation {
        var index = Array(repeating: 0, count: shape.count)
        var rest = flat
        for axis in shape.indices.reversed() where shape[axis] > 0 {
            index[axis] = rest % shape[axis]
            rest /= shape[axis]
        }
        return DataLocation(path: path, element: index)
    }
}
