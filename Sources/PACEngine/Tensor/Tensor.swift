/// An N-dimensional array of `Float` scalars stored contiguously in row-major (C) order.
///
/// `Tensor` is a value type: copies share one pooled buffer (`TensorStorage`) until one of them
/// is mutated (copy-on-write). It holds data only; automatic differentiation lives in `Variable`.
public struct Tensor: Sendable, Equatable {
    /// The extent of each dimension; `[]` is a scalar.
    public internal(set) var shape: [Int]
    @usableFromInline var storage: TensorStorage

    /// Creates a tensor from a shape and its row-major scalars.
    public init(shape: [Int], scalars: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in shape \(shape)")
        precondition(shape.reduce(1, *) == scalars.count,
                     "shape \(shape) needs \(shape.reduce(1, *)) scalars, got \(scalars.count)")
        self.shape = shape
        self.storage = scalars.withUnsafeBufferPointer { TensorStorage(copying: $0) }
    }

    /// The scalars in row-major order, as an array (a copy; kernels use the pointer accessors).
    public var scalars: [Float] {
        get { Array(UnsafeBufferPointer(start: storage.pointer, count: storage.count)) }
        set {
            precondition(newValue.count == count, "assigning \(newValue.count) scalars to a tensor of \(count)")
            storage = newValue.withUnsafeBufferPointer { TensorStorage(copying: $0) }
        }
    }

    /// Creates a tensor of the given shape filled with `value`.
    public init(repeating value: Float, shape: [Int]) {
        let count = shape.reduce(1, *)
        self.init(shape: shape, uninitialized: { $0.initialize(repeating: value, count: count) })
    }

    /// Creates a tensor of zeros.
    public init(zeros shape: [Int]) { self.init(repeating: 0, shape: shape) }

    /// Creates a tensor of ones.
    public init(ones shape: [Int]) { self.init(repeating: 1, shape: shape) }

    /// Creates a rank-0 tensor.
    public init(_ scalar: Float) { self.init(shape: [], scalars: [scalar]) }

    /// Creates a rank-1 tensor.
    public init(_ scalars: [Float]) { self.init(shape: [scalars.count], scalars: scalars) }

    /// Creates a rank-2 tensor from rows of equal length.
    public init(rows: [[Float]]) {
        let width = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == width }, "ragged rows")
        self.init(shape: [rows.count, width], scalars: rows.flatMap { $0 })
    }

    /// Creates a tensor whose scalars `body` writes, every one of them, into uninitialized memory
    /// (no zero fill, no copy: the fast path for kernels that overwrite their whole output).
    public init(shape: [Int], uninitialized body: (UnsafeMutablePointer<Float>) -> Void) {
        let count = shape.reduce(1, *)
        precondition(count >= 0, "negative dimension in shape \(shape)")
        self.shape = shape
        self.storage = TensorStorage(uninitializedCount: count)
        if count > 0 { body(storage.pointer) }
    }

    /// Creates a tensor by evaluating `body` at every flat index.
    public init(shape: [Int], generating body: (Int) -> Float) {
        let count = shape.reduce(1, *)
        self.init(shape: shape, scalars: (0..<count).map(body))
    }

    /// The number of dimensions.
    @inlinable public var rank: Int { shape.count }
    /// The number of scalars.
    @inlinable public var count: Int { storage.count }
    /// The single scalar of a one-element tensor.
    public var scalar: Float {
        precondition(count == 1, "scalar of a tensor with \(count) elements")
        return storage.pointer[0]
    }

    /// Row-major strides (in elements) of `shape`.
    public static func strides(of shape: [Int]) -> [Int] {
        var strides = Array(repeating: 1, count: shape.count)
        var running = 1
        for axis in shape.indices.reversed() {
            strides[axis] = running
            running *= shape[axis]
        }
        return strides
    }

    /// The element at a multi-index.
    public subscript(_ index: Int...) -> Float {
        get { storage.pointer[flatIndex(index)] }
        set {
            let flat = flatIndex(index)
            withUnsafeMutablePointer { $0[flat] = newValue }
        }
    }

    private func flatIndex(_ index: [Int]) -> Int {
        precondition(index.count == rank, "index \(index) for tensor of rank \(rank)")
        var flat = 0
        for (axis, i) in index.enumerated() {
            precondition(i >= 0 && i < shape[axis], "index \(index) out of range for shape \(shape)")
            flat = flat * shape[axis] + i
        }
        return flat
    }

    /// True when every scalar is finite (no NaN, no infinity).
    public var isFinite: Bool { allSatisfy { $0.isFinite } }

    /// Whether every scalar satisfies `predicate` (without copying the scalars).
    @inlinable
    public func allSatisfy(_ predicate: (Float) -> Bool) -> Bool {
        let p = storage.pointer
        for i in 0..<count where !predicate(p[i]) { return false }
        return true
    }

    /// Calls `body` with a read-only pointer to the scalars.
    @inlinable
    public func withUnsafePointer<R>(_ body: (UnsafePointer<Float>) throws -> R) rethrows -> R {
        try withExtendedLifetime(storage) { try body(UnsafePointer(storage.pointer)) }
    }

    /// Calls `body` with a mutable pointer to the scalars (unique storage is ensured first).
    @inlinable
    public mutating func withUnsafeMutablePointer<R>(_ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return try withExtendedLifetime(storage) { try body(storage.pointer) }
    }

    /// Equal shapes and elementwise-equal scalars (so, as for arrays, NaN never equals NaN).
    public static func == (lhs: Tensor, rhs: Tensor) -> Bool {
        guard lhs.shape == rhs.shape else { return false }
        if lhs.storage === rhs.storage { return lhs.allSatisfy { !$0.isNaN } }
        let a = lhs.storage.pointer, b = rhs.storage.pointer
        for i in 0..<lhs.count where a[i] != b[i] { return false }
        return true
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let preview = scalars.prefix(8).map { "\($0)" }.joined(separator: ", ")
        return "Tensor(shape: \(shape), [\(preview)\(count > 8 ? ", ..." : "")])"
    }
}
