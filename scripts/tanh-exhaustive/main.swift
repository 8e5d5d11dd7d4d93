// Every Float bit pattern: the engine's VectorTanh.tanh against this machine's C library tanhf.
// Run: scripts/tanh-exhaustive/run.sh (compiled together with Sources/PACEngine/Kernels/VectorTanh.swift).
import Foundation
import Dispatch
let chunks = 64
let total = UInt64(1) << 32
let per = total / UInt64(chunks)
let lock = NSLock()
var mismatches: [(UInt32, UInt32, UInt32)] = []
var count = 0
DispatchQueue.concurrentPerform(iterations: chunks) { c in
    var local: [(UInt32, UInt32, UInt32)] = []
    var localCount = 0
    var start = UInt64(c) * per
    let end = start + per
    while start < end {
        var v = SIMD16<Float>()
        for lane in 0..<16 { v[lane] = Float(bitPattern: UInt32(start + UInt64(lane))) }
        let r = VectorTanh.tanh(v)
        for lane in 0..<16 {
            let expected = tanhf(v[lane])
            let same = expected.bitPattern == r[lane].bitPattern
            if !same { localCount += 1; if local.count < 10 { local.append((v[lane].bitPattern, expected.bitPattern, r[lane].bitPattern)) } }
        }
        start += 16
    }
    lock.lock(); mismatches += local; count += localCount; lock.unlock()
}
print("inputs: \(total), mismatches: \(count)")
for (x, e, r) in mismatches.prefix(10) { print(String(format: "x=%08x (%g) glibc=%08x (%g) vector=%08x (%g)", x, Float(bitPattern: x), e, Float(bitPattern: e), r, Float(bitPattern: r))) }
