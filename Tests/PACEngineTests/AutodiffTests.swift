import Foundation
@testable import PACEngine
import Testing

@Suite("Reverse-mode autodiff mechanics")
struct AutodiffTests {
    @Test func variableUsedTwiceAccumulates() {
        let x = Variable(Tensor([1, -2, 3]), requiresGrad: true)
        (x * x).sum().backward()
        #expect(x.grad == Tensor([2, -4, 6]))
    }

    @Test func diamondGraphAccumulatesAllPaths() {
        // y = sum(a*b + a + b*b) with a = 2x, b = x + 1 -> dy/dx = (2b + a) + 2 + 2b = 6x + 6.
        let x = Variable(Tensor([0.5, -1, 2]), requiresGrad: true)
        let a = x * Float(2), b = x + Float(1)
        (a * b + a + b * b).sum().backward()
        #expect(x.grad == Tensor([9, 0, 18]))
    }

    @Test func leavesAccumulateAcrossBackwardCalls() {
        let x = Variable(Tensor([1, 2]), requiresGrad: true)
        let w = Variable(Tensor([3, 4]), requiresGrad: true)
        (x * w).sum().backward()
        #expect(x.grad == Tensor([3, 4]) && w.grad == Tensor([1, 2]))
        (x * w).sum().backward()
        #expect(x.grad == Tensor([6, 8]) && w.grad == Tensor([2, 4]))
        x.grad = nil
        (x * Float(5)).sum().backward()
        #expect(x.grad == Tensor([5, 5]))
        #expect(w.grad == Tensor([2, 4]))
    }

    /// `backward()` releases the graph it walked, as PyTorch does: the saved tensors are
    /// freed, so a parameter's value is no longer shared and an in-place update does not copy it.
    @Test func backwardReleasesTheGraphUnlessRetained() {
        // A convolution's pullback keeps its weight tensor for the backward pass.
        let input = Variable(Tensor(shape: [1, 1, 3, 3], scalars: (0..<9).map(Float.init)))
        let w = Variable(Tensor(shape: [1, 1, 2, 2], scalars: [1, -1, 2, 0.5]), requiresGrad: true)
        let y = Variable.conv2d(input, weight: w, bias: nil).sum()
        #expect(!isKnownUniquelyReferenced(&w.value.storage))
        y.backward()
        #expect(w.grad == Tensor(shape: [1, 1, 2, 2], scalars: [8, 12, 20, 24]))
        #expect(!y.isLeaf && w.isLeaf)
        #expect(isKnownUniquelyReferenced(&w.value.storage))

        let x = Variable(Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4]), requiresGrad: true)
        let z = Variable.conv2d(input, weight: x, bias: nil).sum()
        z.backward(retainGraph: true)
        #expect(!isKnownUniquelyReferenced(&x.value.storage))
        z.backward()
        #expect(x.grad == Tensor(shape: [1, 1, 2, 2], scalars: [16, 24, 40, 48]))
    }

    @Test func backwardThroughAReleasedGraphStops() async {
        await #expect(processExitsWith: .failure) {
            let x = Variable(Tensor([1, 2]), requiresGrad: true)
            let y = (x * x).sum()
            y.backward()
            y.backward()
        }
        await #expect(processExitsWith: .failure) {
            let x = Variable(Tensor([1, 2]), requiresGrad: true)
            let shared = x * x
            shared.sum().backward()
            (shared * Float(2)).sum().backward()
        }
    }

    @Test func backwardSeedScalesTheGradient() {
        let x = Variable(Tensor([1, 2, 3]), requiresGrad: true)
        x.squared().backward(seed: Tensor([1, 0, -1]))
        #expect(x.grad == Tensor([2, 0, -6]))
        let y = Variable(Tensor(3), requiresGrad: true)
        (y * y).backward()  // default seed: ones
        #expect(y.grad == Tensor(6))
        let leaf = Variable(Tensor([1, 2]), requiresGrad: true)
        leaf.backward(seed: Tensor([7, 8]))
        #expect(leaf.grad == Tensor([7, 8]))
    }

    @Test func constantsGetNoGradientAndNoGraph() {
        let x = Variable(Tensor([1, 2]), requiresGrad: true)
        let c = Variable(Tensor([3, 4]))
        #expect(!c.requiresGrad && c.isLeaf)
        let y = x * c
        #expect(y.requiresGrad && !y.isLeaf)
        y.sum().backward()
        #expect(x.grad == Tensor([3, 4]))
        #expect(c.grad == nil)
        // An op on constants only is a constant leaf.
        let z = (c * c).exp()
        #expect(!z.requiresGrad && z.isLeaf)
        z.sum().backward()
        #expect(c.grad == nil)
    }

    @Test func intermediateNodesDoNotStoreGradients() {
        let x = Variable(Tensor([1, 2]), requiresGrad: true)
        let h = x.tanh()
        h.sum().backward()
        #expect(h.grad == nil)
        #expect(x.grad != nil)
    }

    @Test func withoutGradientsRecordsNoGraph() {
        let x = Variable(Tensor([1, 2, 3]), requiresGrad: true)
        #expect(GradientMode.isEnabled)
        let (y, inside) = GradientMode.withoutGradients {
            ((x * x).relu().sum(), GradientMode.isEnabled)
        }
        #expect(!inside)
        #expect(GradientMode.isEnabled)
        #expect(!y.requiresGrad && y.isLeaf)
        #expect(y.value == Tensor(14))
        y.backward()
        #expect(x.grad == nil)
        // Nested and restored after throwing.
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try GradientMode.withoutGradients {
                GradientMode.withoutGradients { #expect(!GradientMode.isEnabled) }
                #expect(!GradientMode.isEnabled)
                throw Boom()
            }
        }
        #expect(GradientMode.isEnabled)
        #expect((x * x).requiresGrad)
    }

    @Test func deepChainBackpropagates() {
        // 200 successive `x * 1.01`: gradient 1.01^200.
        let x = Variable(Tensor([1]), requiresGrad: true)
        var y = x
        for _ in 0..<200 { y = y * Float(1.01) }
        y.sum().backward()
        let expected = Float(pow(1.01, 200.0))
        #expect(abs(x.grad!.scalars[0] - expected) <= 1e-4 * expected)
    }

    @Test func gradientShapesMatchBroadcastOperands() {
        let a = Variable(Tensor(shape: [4, 1], scalars: [1, 2, 3, 4]), requiresGrad: true)
        let b = Variable(Tensor(shape: [1, 3], scalars: [10, 20, 30]), requiresGrad: true)
        let s = Variable(Tensor(2), requiresGrad: true)
        (a * b + s).sum().backward()
        #expect(a.grad == Tensor(shape: [4, 1], scalars: [60, 60, 60, 60]))
        #expect(b.grad == Tensor(shape: [1, 3], scalars: [10, 10, 10]))
        #expect(s.grad == Tensor(12))
    }

    @Test func reluGradientAtZeroIsZero() {
        let x = Variable(Tensor([-1, 0, 1]), requiresGrad: true)
        x.relu().sum().backward()
        #expect(x.grad == Tensor([0, 0, 1]))
    }

    @Test func linearForwardMatchesDefinition() {
        let x = Variable(Tensor(rows: [[1, 2], [3, 4], [5, 6]]))
        let w = Variable(Tensor(rows: [[1, 0], [0, 1], [1, -1]]))
        let b = Variable(Tensor([10, 20, 30]))
        #expect(Variable.linear(x, weight: w, bias: b).value == Tensor(rows: [[11, 22, 29], [13, 24, 29], [15, 26, 29]]))
        #expect(Variable.linear(x, weight: w, bias: nil).value == Tensor(rows: [[1, 2, -1], [3, 4, -1], [5, 6, -1]]))
    }
}
