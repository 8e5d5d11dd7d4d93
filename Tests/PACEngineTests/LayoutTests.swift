import PACEngine
import Testing

@Suite("Tensor construction, reshaping, permutation, slicing, gathering, concatenation")
struct LayoutTests {
    /// A tensor whose scalars are their flat indices: easy to check where elements moved.
    private func iota(_ shape: [Int]) -> Tensor { Tensor(shape: shape, generating: { Float($0) }) }

    @Test func constructionAndIndexing() {
        let t = Tensor(rows: [[1, 2, 3], [4, 5, 6]])
        #expect(t.shape == [2, 3] && t.rank == 2 && t.count == 6)
        #expect(t[1, 0] == 4 && t[0, 2] == 3)
        var u = iota([2, 3, 4])
        #expect(u[1, 2, 3] == 23 && u[0, 1, 2] == 6)
        u[1, 0, 1] = -1
        #expect(u.scalars[13] == -1)
        #expect(Tensor(5).shape == [] && Tensor(5).scalar == 5)
        #expect(Tensor(zeros: [2, 2]).scalars == [0, 0, 0, 0])
        #expect(Tensor(ones: [3]).scalars == [1, 1, 1])
        #expect(Tensor(repeating: 7, shape: [1, 2]).scalars == [7, 7])
        #expect(Tensor.strides(of: [2, 3, 4]) == [12, 4, 1])
        #expect(Tensor([1, .nan]).isFinite == false && Tensor([1, 2]).isFinite)
    }

    @Test func reshaped() {
        let t = iota([2, 3, 4])
        let r = t.reshaped(to: [6, 4])
        #expect(r.shape == [6, 4] && r.scalars == t.scalars)
        #expect(t.reshaped(to: [-1, 4]).shape == [6, 4])
        #expect(t.reshaped(to: [4, -1]).shape == [4, 6])
        #expect(t.reshaped(to: [2, -1, 2]).shape == [2, 6, 2])
        #expect(t.reshaped(to: [-1]).shape == [24])
        #expect(t.reshaped(to: [-1]).scalars == t.scalars)
        #expect(Tensor([3]).reshaped(to: []).shape == [])
        #expect(Tensor(3).reshaped(to: [1, -1]).shape == [1, 1])
    }

    @Test func transposedRank2() {
        let t = Tensor(rows: [[1, 2, 3], [4, 5, 6]])
        let tt = t.transposed()
        #expect(tt.shape == [3, 2])
        #expect(tt == Tensor(rows: [[1, 4], [2, 5], [3, 6]]))
        #expect(tt.transposed() == t)
    }

    @Test func transposedRank3SwapsLastTwoAxes() {
        let t = iota([2, 3, 4])
        let tt = t.transposed()
        #expect(tt.shape == [2, 4, 3])
        for i in 0..<2 { for j in 0..<3 { for k in 0..<4 { #expect(tt[i, k, j] == t[i, j, k]) } } }
    }

    @Test(arguments: [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]])
    func permutedRank3(permutation: [Int]) {
        let shape = [2, 3, 4]
        let t = iota(shape)
        let p = t.permuted(permutation)
        #expect(p.shape == permutation.map { shape[$0] })
        // Output index o maps to input index i with i[permutation[a]] = o[a].
        for i0 in 0..<2 {
            for i1 in 0..<3 {
                for i2 in 0..<4 {
                    let input = [i0, i1, i2]
                    let o = permutation.map { input[$0] }
                    #expect(p[o[0], o[1], o[2]] == t[i0, i1, i2])
                }
            }
        }
        // Applying the inverse permutation restores the tensor.
        var inverse = permutation
        for (a, q) in permutation.enumerated() { inverse[q] = a }
        #expect(p.permuted(inverse) == t)
    }

    @Test func permutedRank4HandChecked() {
        let t = iota([2, 1, 3, 2])
        let p = t.permuted([3, 2, 0, 1])
        #expect(p.shape == [2, 3, 2, 1])
        for a in 0..<2 { for b in 0..<3 { for c in 0..<2 { #expect(p[a, b, c, 0] == t[c, 0, b, a]) } } }
        // [0,1,...]: element [1, 2, 1, 0] is t[1, 0, 2, 1] = 1*6 + 2*2 + 1 = 11.
        #expect(p[1, 2, 1, 0] == 11)
    }

    @Test func slice() {
        let t = iota([3, 4, 2])
        let s0 = t.slice(axis: 0, 1..<3)
        #expect(s0.shape == [2, 4, 2] && s0.scalars == Array(8..<24).map(Float.init))
        let s1 = t.slice(axis: 1, 1..<3)
        #expect(s1.shape == [3, 2, 2])
        #expect(s1.scalars == [2, 3, 4, 5, 10, 11, 12, 13, 18, 19, 20, 21])
        let s2 = t.slice(axis: 2, 1..<2)
        #expect(s2.shape == [3, 4, 1])
        #expect(s2.scalars == stride(from: 1, to: 24, by: 2).map(Float.init))
        let empty = t.slice(axis: 1, 2..<2)
        #expect(empty.shape == [3, 0, 2] && empty.count == 0)
        #expect(t.slice(axis: 0, 0..<3) == t)
    }

    @Test func gatherRows() {
        let t = Tensor(rows: [[0, 1], [10, 11], [20, 21]])
        let g = t.gatherRows([2, 0, 2, 1])
        #expect(g == Tensor(rows: [[20, 21], [0, 1], [20, 21], [10, 11]]))
        #expect(t.gatherRows([]).shape == [0, 2])
        let r3 = iota([3, 2, 2]).gatherRows([1])
        #expect(r3.shape == [1, 2, 2] && r3.scalars == [4, 5, 6, 7])
        #expect(Tensor([5, 6, 7]).gatherRows([2, 2]) == Tensor([7, 7]))
    }

    @Test func scatterAddRowsIsAdjointOfGather() {
        var acc = Tensor(zeros: [3, 2])
        acc.scatterAddRows(Tensor(rows: [[1, 2], [3, 4], [5, 6]]), at: [2, 0, 2])
        #expect(acc == Tensor(rows: [[3, 4], [0, 0], [6, 8]]))
        // <gather(x), y> == <x, scatterAdd(y)>.
        var rng = RandomGenerator(seed: 21)
        let x = rng.uniformTensor(shape: [5, 3], low: -1, high: 1)
        let indices = [4, 1, 1, 0, 4, 4]
        let y = rng.uniformTensor(shape: [indices.count, 3], low: -1, high: 1)
        var scattered = Tensor(zeros: [5, 3])
        scattered.scatterAddRows(y, at: indices)
        let lhs = zip(x.gatherRows(indices).scalars, y.scalars).reduce(0.0) { $0 + Double($1.0 * $1.1) }
        let rhs = zip(x.scalars, scattered.scalars).reduce(0.0) { $0 + Double($1.0 * $1.1) }
        #expect(abs(lhs - rhs) < 1e-5)
    }

    @Test func concatenate() {
        let a = Tensor(rows: [[1, 2], [3, 4]])
        let b = Tensor(rows: [[5, 6]])
        #expect(Tensor.concatenate([a, b], axis: 0) == Tensor(rows: [[1, 2], [3, 4], [5, 6]]))
        let c = Tensor(rows: [[7], [8]])
        #expect(Tensor.concatenate([a, c, a], axis: 1) == Tensor(rows: [[1, 2, 7, 1, 2], [3, 4, 8, 3, 4]]))
        let x = iota([2, 2, 1]), y = iota([2, 2, 2]) + 100
        let xy = Tensor.concatenate([x, y], axis: 2)
        #expect(xy.shape == [2, 2, 3])
        #expect(xy.scalars == [0, 100, 101, 1, 102, 103, 2, 104, 105, 3, 106, 107])
        #expect(Tensor.concatenate([a], axis: 1) == a)
        // Concatenation undoes slicing.
        let t = iota([3, 5, 2])
        #expect(Tensor.concatenate([t.slice(axis: 1, 0..<2), t.slice(axis: 1, 2..<5)], axis: 1) == t)
    }

    @Test func matmulAgainstHandComputed() {
        let a = Tensor(rows: [[1, 2, 3], [4, 5, 6]])
        let b = Tensor(rows: [[1, 0], [0, 1], [2, -1]])
        #expect(a.matmul(b) == Tensor(rows: [[7, -1], [16, -1]]))
        #expect(a.matmul(b, transposeSelf: true, transposeOther: true) == a.transposed().matmul(b.transposed()))
        #expect(a.matmul(a, transposeOther: true) == Tensor(rows: [[14, 32], [32, 77]]))
        #expect(a.matmul(a, transposeSelf: true) == Tensor(rows: [[17, 22, 27], [22, 29, 36], [27, 36, 45]]))
    }

    @Test func copyOnWrite() {
        let a = Tensor([1, 2, 3])
        var b = a
        b.scalars[0] = 9
        #expect(a.scalars == [1, 2, 3])
        var c = a
        c.withUnsafeMutablePointer { $0[1] = 7 }
        #expect(a.scalars == [1, 2, 3] && c.scalars == [1, 7, 3])
    }
}
