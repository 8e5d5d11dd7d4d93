/// A value that crosses threads although its type is not `Sendable`: raw buffer pointers, GEMM
/// operands, a non-escaping loop body handed to `WorkerPool` threads, and the
/// free buffers cached by `BufferPool`.
///
/// The engine's one unchecked wrapper, sound by how it is used: a parallel kernel returns only
/// after all its workers finish, each worker writes only its own disjoint region of the output
/// (the rows, columns, channels or images of its 2-core range), and nothing the workers read is
/// written while they run; a pooled buffer is referenced by the pool alone until `take` hands it
/// to one caller. Wrap nothing that breaks these rules.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
