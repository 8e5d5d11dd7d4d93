import Foundation
@testable import PACNumerics
import Testing

/// `FastFourierTransform` against a direct O(n^2) DFT.
struct FastFourierTransformTests {
    @Test(arguments: [1, 2, 8, 64])
    func matchesDirectTransform(count: Int) {
        let re = (0..<count).map { sin(1.3 * Double($0) + 0.2) }
        let im = (0..<count).map { cos(0.7 * Double($0) * Double($0)) }
        var fastRe = re, fastIm = im
        let fft = FastFourierTransform(count: count)
        fastRe.withUnsafeMutableBufferPointer { r in
            fastIm.withUnsafeMutableBufferPointer { i in fft.forward(real: r.baseAddress!, imaginary: i.baseAddress!) }
        }
        var maxError = 0.0
        for k in 0..<count {
            var sr = 0.0, si = 0.0
            for j in 0..<count {
                let angle = -2 * Double.pi * Double(j * k % count) / Double(count)
                sr += re[j] * cos(angle) - im[j] * sin(angle)
                si += re[j] * sin(angle) + im[j] * cos(angle)
            }
            maxError = max(maxError, abs(sr - fastRe[k]), abs(si - fastIm[k]))
        }
        #expect(maxError < 1e-12, "max error \(maxError)")
    }
}
