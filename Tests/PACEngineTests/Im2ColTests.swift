@testable import PACEngine
import Testing

/// The column matrix straight from its definition: row `(c, ki, kj)`, column `(oh, ow)` holds
/// `x[c, oh * stride - padding + ki, ow * stride - padding + kj]`, or 0 in the padding.
private func referenceColumns(_ image: [Float], _ g: Conv2dGeometry) -> [Float] {
    var columns = [Float]()
    for c in 0..<g.channels {
        for ki in 0..<g.kernelHeight {
            for kj in 0..<g.kernelWidth {
                for oh in 0..<g.outputHeight {
                    for ow in 0..<g.outputWidth {
                        let ih = oh * g.stride - g.padding + ki, iw = ow * g.stride - g.padding + kj
                        let inside = ih >= 0 && ih < g.height && iw >= 0 && iw < g.width
                        columns.append(inside ? image[(c * g.height + ih) * g.width + iw] : 0)
                    }
                }
            }
        }
    }
    return columns
}

@Suite("im2col pieces and the row dot-product kernel")
struct Im2ColTests {
    /// Shifted-plane geometries (stride 1, output as wide as the input), stride 2 with rows long
    /// enough for the 16- and 8-wide vector gathers, and the general strided path.
    static let geometries: [Conv2dGeometry] = [
        Conv2dGeometry(channels: 2, height: 5, width: 6, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1),
        Conv2dGeometry(channels: 1, height: 8, width: 8, kernelHeight: 5, kernelWidth: 5, stride: 1, padding: 2),
        Conv2dGeometry(channels: 2, height: 7, width: 9, kernelHeight: 2, kernelWidth: 3, stride: 1, padding: 1),
        Conv2dGeometry(channels: 2, height: 6, width: 7, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 0),
        Conv2dGeometry(channels: 3, height: 7, width: 40, kernelHeight: 3, kernelWidth: 3, stride: 2, padding: 1),
        Conv2dGeometry(channels: 2, height: 5, width: 32, kernelHeight: 3, kernelWidth: 3, stride: 2, padding: 1),
        Conv2dGeometry(channels: 2, height: 9, width: 20, kernelHeight: 1, kernelWidth: 1, stride: 2, padding: 0),
        Conv2dGeometry(channels: 2, height: 6, width: 17, kernelHeight: 3, kernelWidth: 3, stride: 2, padding: 0),
        Conv2dGeometry(channels: 1, height: 5, width: 5, kernelHeight: 3, kernelWidth: 3, stride: 3, padding: 2),
    ]

    @Test("every piece of output rows matches the definition", arguments: geometries)
    func piecesMatchTheDefinition(_ g: Conv2dGeometry) {
        var rng = RandomGenerator(seed: 31)
        let image = rng.uniformTensor(shape: [g.imageSize], low: -1, high: 1).scalars
        let expected = referenceColumns(image, g)
        let wo = g.outputWidth, positions = g.columnCount
        for pieceRows in 1...g.outputHeight {
            var assembled = [Float](repeating: .nan, count: expected.count)
            var piece = [Float](repeating: .nan, count: g.columnRows * pieceRows * wo)
            for first in stride(from: 0, to: g.outputHeight, by: pieceRows) {
                let rows = first..<min(g.outputHeight, first + pieceRows)
                let width = rows.count * wo
                image.withUnsafeBufferPointer { x in
                    piece.withUnsafeMutableBufferPointer { Im2Col.im2col(x.baseAddress!, geometry: g, outputRows: rows, into: $0.baseAddress!) }
                }
                for r in 0..<g.columnRows {
                    for j in 0..<width { assembled[r * positions + first * wo + j] = piece[r * width + j] }
                }
            }
            #expect(assembled == expected, "\(g), \(pieceRows) rows per piece")
        }
    }

    /// Each entry bit for bit in the documented order: 16 lane-wise fused chains over the depth
    /// in steps of 16, a pairwise tree over the lanes, then the tail one product at a time. The
    /// order, not the tile shape, fixes the bits (a convolution's weight gradient depends on it).
    /// Sizes off the tile and the 16-wide depth step, with and without accumulation; the padding
    /// columns of C stay untouched.
    @Test(arguments: [(6, 7, 301), (6, 13, 301), (4, 6, 32), (16, 27, 1024), (5, 7, 15), (9, 1, 48)])
    func rowDotProductSumsInItsDocumentedOrder(m: Int, n: Int, depth: Int) {
        let (lda, ldb, ldc) = (depth + 3, depth + 1, n + 2)
        var rng = RandomGenerator(seed: 34, stream: "\(m)x\(n)x\(depth)")
        let a = rng.uniformTensor(shape: [m * lda], low: -1, high: 1).scalars
        let b = rng.uniformTensor(shape: [n * ldb], low: -1, high: 1).scalars
        let start = rng.uniformTensor(shape: [m * ldc], low: -1, high: 1).scalars
        for accumulate in [false, true] {
            var c = start
            a.withUnsafeBufferPointer { ap in
                b.withUnsafeBufferPointer { bp in
                    c.withUnsafeMutableBufferPointer {
                        RowDotProduct.multiply(m: m, n: n, depth: depth, a: ap.baseAddress!, lda: lda, b: bp.baseAddress!, ldb: ldb,
                                               c: $0.baseAddress!, ldc: ldc, accumulate: accumulate)
                    }
                }
            }
            var differing = 0
            for i in 0..<m {
                for j in 0..<n {
                    var lanes = [Float](repeating: 0, count: 16)
                    var p = 0
                    while p + 16 <= depth {
                        for l in 0..<16 { lanes[l] = lanes[l].addingProduct(a[i * lda + p + l], b[j * ldb + p + l]) }
                        p += 16
                    }
                    while lanes.count > 1 { lanes = stride(from: 0, to: lanes.count, by: 2).map { lanes[$0] + lanes[$0 + 1] } }
                    var total = lanes[0]
                    for q in p..<depth { total += a[i * lda + q] * b[j * ldb + q] }
                    let expected = accumulate ? start[i * ldc + j] + total : total
                    if c[i * ldc + j].bitPattern != expected.bitPattern { differing += 1 }
                }
                for j in n..<ldc where c[i * ldc + j].bitPattern != start[i * ldc + j].bitPattern { differing += 1 }
            }
            #expect(differing == 0, "\(differing) of \(m * ldc) entries differ, accumulate \(accumulate)")
        }
    }

    @Test func flippedTransposeSwapsChannelsAndReversesTheKernel() {
        // weight[o, c, i, j] = 1000 o + 100 c + 10 i + j, O = 2, C = 3, 2 x 3 kernel.
        let weight = Tensor(shape: [2, 3, 2, 3], generating: { index in
            let (o, rest) = index.quotientAndRemainder(dividingBy: 18)
            let (c, tap) = rest.quotientAndRemainder(dividingBy: 6)
            return Float(1000 * o + 100 * c + 10 * (tap / 3) + tap % 3)
        })
        let flipped = Convolution.flippedTranspose(weight)
        #expect(flipped.shape == [3, 2, 2, 3])
        let values = flipped.scalars
        for c in 0..<3 {
            for o in 0..<2 {
                for i in 0..<2 {
                    for j in 0..<3 {
                        #expect(values[((c * 2 + o) * 2 + i) * 3 + j] == Float(1000 * o + 100 * c + 10 * (1 - i) + (2 - j)))
                    }
                }
            }
        }
    }
}

@Suite("im2col / col2im with a row stride (several images side by side)")
struct Im2ColRowStrideTests {
    @Test(arguments: [
        Conv2dGeometry(channels: 3, height: 4, width: 4, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1),
        Conv2dGeometry(channels: 2, height: 7, width: 6, kernelHeight: 3, kernelWidth: 3, stride: 2, padding: 1),
        Conv2dGeometry(channels: 2, height: 20, width: 20, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1),
        Conv2dGeometry(channels: 3, height: 9, width: 9, kernelHeight: 7, kernelWidth: 7, stride: 2, padding: 3),
    ])
    func blockOfAWiderMatrixEqualsTheImagesOwnColumns(g: Conv2dGeometry) {
        var rng = RandomGenerator(seed: 31)
        let image = rng.uniformTensor(shape: [g.imageSize], low: -1, high: 1).scalars
        let (k, p) = (g.columnRows, g.columnCount)
        var own = [Float](repeating: .nan, count: k * p)
        Im2Col.im2col(image, geometry: g, into: &own)
        // Image 1 of 3 in a [k, 3 p] matrix: its block equals its own columns, the rest is untouched.
        var wide = [Float](repeating: .nan, count: k * 3 * p)
        wide.withUnsafeMutableBufferPointer {
            Im2Col.im2col(image, geometry: g, outputRows: 0..<g.outputHeight, into: $0.baseAddress! + p, ld: 3 * p)
        }
        for r in 0..<k {
            #expect(Array(wide[(r * 3 * p + p)..<(r * 3 * p + 2 * p)]).map(\.bitPattern) == Array(own[(r * p)..<(r * p + p)]).map(\.bitPattern))
            let untouched = wide[(r * 3 * p)..<(r * 3 * p + p)].allSatisfy { $0.isNaN }
            #expect(untouched)
        }
        // col2im reading the block with the row stride adds the same values.
        var fromOwn = [Float](repeating: 0, count: g.imageSize), fromWide = fromOwn
        Im2Col.col2im(own, geometry: g, addingInto: &fromOwn)
        wide.withUnsafeBufferPointer { Im2Col.col2im($0.baseAddress! + p, geometry: g, addingInto: &fromWide, ld: 3 * p) }
        #expect(fromOwn.map(\.bitPattern) == fromWide.map(\.bitPattern))
    }
}
