import Foundation
import PACEngine
import Testing

@Suite("Broadcasting arithmetic and its adjoint")
struct BroadcastingTests {
    @Test func broadcastShapes() {
        #expect(Broadcasting.shape([4, 3], [3]) == [4, 3])
        #expect(Broadcasting.shape([4, 1], [1, 3]) == [4, 3])
        #expect(Broadcasting.shape([], [2, 5]) == [2, 5])
        #expect(Broadcasting.shape([2, 1, 4], [3, 1]) == [2, 3, 4])
        #expect(Broadcasting.shape([2, 3], [2, 3]) == [2, 3])
        #expect(Broadcasting.shape([2, 3], [2]) == nil)
        #expect(Broadcasting.shape([4, 3], [4]) == nil)
        #expect(Broadcasting.shape([2, 3, 4], [3, 3]) == nil)
    }

    @Test func sameShape() {
        let a = Tensor(rows: [[1, 2], [3, 4]])
        let b = Tensor(rows: [[10, 20], [30, 40]])
        #expect(a + b == Tensor(rows: [[11, 22], [33, 44]]))
        #expect(b - a == Tensor(rows: [[9, 18], [27, 36]]))
        #expect(a * b == Tensor(rows: [[10, 40], [90, 160]]))
        #expect(b / a == Tensor(rows: [[10, 10], [10, 10]]))
    }

    @Test func rowVectorAgainstMatrix() {
        let a = Tensor(rows: [[1, 2, 3], [4, 5, 6]])
        let b = Tensor([10, 20, 30])
        #expect(a + b == Tensor(rows: [[11, 22, 33], [14, 25, 36]]))
        #expect(b - a == Tensor(rows: [[9, 18, 27], [6, 15, 24]]))
        #expect(a * b == Tensor(rows: [[10, 40, 90], [40, 100, 180]]))
    }

    @Test func columnTimesRowIsOuterProduct() {
        let column = Tensor(shape: [3, 1], scalars: [1, 2, 3])
        let row = Tensor(shape: [1, 4], scalars: [1, 10, 100, 1000])
        let product = column * row
        #expect(product.shape == [3, 4])
        #expect(product == Tensor(rows: [[1, 10, 100, 1000], [2, 20, 200, 2000], [3, 30, 300, 3000]]))
        let sum = row + column
        #expect(sum == Tensor(rows: [[2, 11, 101, 1001], [3, 12, 102, 1002], [4, 13, 103, 1003]]))
    }

    @Test func scalarOperands() {
        let a = Tensor(rows: [[1, 2], [3, 4]])
        #expect(a - Tensor(1) == Tensor(rows: [[0, 1], [2, 3]]))
        #expect(Tensor(12) / a == Tensor(rows: [[12, 6], [4, 3]]))
        #expect(Tensor(2) * Tensor(3) == Tensor(6))
        #expect((Tensor(2) * Tensor(3)).shape == [])
        #expect(a * Tensor([2]) == Tensor(rows: [[2, 4], [6, 8]]))
        // Scalar-float overloads.
        #expect(a * 2 == Tensor(rows: [[2, 4], [6, 8]]))
        #expect(a + 1 == Tensor(rows: [[2, 3], [4, 5]]))
        #expect(a - 1 == Tensor(rows: [[0, 1], [2, 3]]))
        #expect(a / 2 == Tensor(rows: [[0.5, 1], [1.5, 2]]))
        #expect(-a == Tensor(rows: [[-1, -2], [-3, -4]]))
    }

    @Test func rank3AgainstRank2() {
        // [2, 1, 3] + [2, 1] -> [2, 2, 3]: out[i, j, k] = a[i, 0, k] + b[j, 0].
        let a = Tensor(shape: [2, 1, 3], scalars: [1, 2, 3, 4, 5, 6])
        let b = Tensor(shape: [2, 1], scalars: [100, 200])
        let c = a + b
        #expect(c.shape == [2, 2, 3])
        for i in 0..<2 {
            for j in 0..<2 {
                for k in 0..<3 { #expect(c[i, j, k] == a[i, 0, k] + b[j, 0]) }
            }
        }
        #expect(c.scalars == [101, 102, 103, 201, 202, 203, 104, 105, 106, 204, 205, 206])
    }

    @Test func zipWithCustomOperation() {
        let a = Tensor(rows: [[1, 5], [7, 2]])
        let b = Tensor([3, 3])
        #expect(a.zipWith(b) { Swift.max($0, $1) } == Tensor(rows: [[3, 5], [7, 3]]))
        #expect(a.map { $0 * $0 } == Tensor(rows: [[1, 25], [49, 4]]))
    }

    @Test func elementwiseFunctions() {
        let x = Tensor([-2, -0.5, 0, 0.5, 3])
        #expect(x.relu() == Tensor([0, 0, 0, 0.5, 3]))
        #expect(x.squared() == Tensor([4, 0.25, 0, 0.25, 9]))
        let p = Tensor([0.25, 1, 4])
        #expect(p.sqrt() == Tensor([0.5, 1, 2]))
        for (y, expected) in zip(p.log().scalars, [-1.3862944, 0, 1.3862944] as [Float]) { #expect(abs(y - expected) < 1e-6) }
        for (y, expected) in zip(x.exp().scalars, x.scalars.map { Float(exp(Double($0))) }) {
            #expect(abs(y - expected) <= 1e-6 * expected)
        }
        for (y, xi) in zip(x.tanh().scalars, x.scalars) { #expect(abs(Double(y) - tanh(Double(xi))) < 1e-6) }
        for (y, xi) in zip(x.sigmoid().scalars, x.scalars) {
            #expect(abs(Double(y) - 1 / (1 + exp(-Double(xi)))) < 1e-6)
        }
        for (y, xi) in zip(x.softplus().scalars, x.scalars) {
            #expect(abs(Double(y) - log(1 + exp(Double(xi)))) < 1e-6)
        }
        // Stability at the extremes.
        let extreme = Tensor([-100, 100])
        #expect(extreme.sigmoid().scalars[1] == 1)
        #expect(extreme.sigmoid().scalars[0] > 0 && extreme.sigmoid().scalars[0] < 1e-40)
        #expect(extreme.softplus().isFinite)
        #expect(extreme.softplus().scalars[1] == 100)
        #expect(extreme.softplus().scalars[0] >= 0 && extreme.softplus().scalars[0] < 1e-40)
    }

    @Test func sumToShapeHandComputed() {
        let g = Tensor(rows: [[1, 2, 3], [4, 5, 6]])
        #expect(g.sum(toShape: [3]) == Tensor([5, 7, 9]))
        #expect(g.sum(toShape: [1, 3]) == Tensor(shape: [1, 3], scalars: [5, 7, 9]))
        #expect(g.sum(toShape: [2, 1]) == Tensor(shape: [2, 1], scalars: [6, 15]))
        #expect(g.sum(toShape: []) == Tensor(21))
        #expect(g.sum(toShape: [1]) == Tensor([21]))
        #expect(g.sum(toShape: [1, 1]) == Tensor(shape: [1, 1], scalars: [21]))
        #expect(g.sum(toShape: [2, 3]) == g)
        let h = Tensor(shape: [2, 2, 3], generating: { Float($0) })
        // Sum over axes 0 and 2 of 0...11: [[0,1,2],[3,4,5]] + [[6,7,8],[9,10,11]].
        #expect(h.sum(toShape: [2, 1]) == Tensor(shape: [2, 1], scalars: [24, 42]))
        #expect(h.sum(toShape: [3]) == Tensor([18, 22, 26]))
    }

    /// `sum(toShape:)` is the adjoint of broadcasting: <broadcast(x), y> == <x, y.sum(toShape: x.shape)>.
    @Test(arguments: [
        ([3], [4, 3]), ([4, 1], [4, 3]), ([1, 3], [4, 3]), ([], [4, 3]), ([1], [2, 3]),
        ([3, 1], [2, 3, 4]), ([2, 1, 4], [2, 3, 4]), ([1, 1, 1], [2, 3, 4]), ([4], [2, 3, 4]), ([2, 3, 4], [2, 3, 4]),
    ] as [([Int], [Int])])
    func sumToShapeIsAdjointOfBroadcasting(small: [Int], big: [Int]) {
        var rng = RandomGenerator(seed: 11, stream: "\(small)->\(big)")
        let x = rng.uniformTensor(shape: small, low: -1, high: 1)
        let y = rng.uniformTensor(shape: big, low: -1, high: 1)
        let broadcastX = x + Tensor(zeros: big)
        #expect(broadcastX.shape == big)
        let reducedY = y.sum(toShape: small)
        #expect(reducedY.shape == small)
        let lhs = zip(broadcastX.scalars, y.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let rhs = zip(x.scalars, reducedY.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        #expect(abs(lhs - rhs) < 1e-5)
    }

    @Test func sumAlongAxes() {
        let t = Tensor(shape: [2, 3, 4], generating: { Float($0) })
        let s0 = t.sum(alongAxes: [0])
        #expect(s0.shape == [3, 4])
        let expected0: [Float] = (0..<12).map { i in Float(2 * i + 12) }
        #expect(s0.scalars == expected0)
        let s1 = t.sum(alongAxes: [1], keepingDims: true)
        #expect(s1.shape == [2, 1, 4])
        #expect(s1.scalars == [12, 15, 18, 21, 48, 51, 54, 57])
        let s2 = t.sum(alongAxes: [-1])
        #expect(s2.shape == [2, 3])
        #expect(s2.scalars == [6, 22, 38, 54, 70, 86])
        let s02 = t.sum(alongAxes: [0, 2])
        #expect(s02.shape == [3])
        #expect(s02.scalars == [60, 92, 124] as [Float])
        let all = t.sum(alongAxes: [0, 1, 2])
        #expect(all.shape == [])
        #expect(all.scalar == 276)
        #expect(t.sum() == Tensor(276))
        #expect(t.mean() == Tensor(11.5))
        #expect(t.max() == 23 && t.min() == 0)
    }

    @Test func sumAccumulatesInDouble() {
        // 1 + 1e-8 * 1e6 = 1.01 exactly in Double; naive Float accumulation would drop every tiny term.
        let t = Tensor([1] + Array(repeating: 1e-8, count: 1_000_000))
        #expect(abs(t.sum().scalar - 1.01) < 1e-6)
    }
}

