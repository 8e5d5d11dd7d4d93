import Foundation
import PACEngine
import PACTestSupport
import PACNN
import Testing

@Suite("Losses against hand-computed values and finite differences")
struct LossTests {
    private func close(_ a: Float, _ b: Double, _ tolerance: Double = 1e-6) -> Bool {
        abs(Double(a) - b) <= tolerance * max(1, abs(b))
    }

    // MARK: Mean squared error

    @Test func meanSquaredErrorValue() {
        let prediction = Variable(Tensor(rows: [[1, 2], [3, 4]]))
        let target = Tensor(rows: [[0, 2], [5, 3.5]])
        // (1 + 0 + 4 + 0.25) / 4
        #expect(meanSquaredError(prediction, target).value == Tensor(1.3125))
        #expect(Loss.mse(prediction, target).value == Tensor(1.3125))
        #expect(meanSquaredError(prediction, prediction.value).value == Tensor(0))
    }

    @Test func meanSquaredErrorGradient() {
        let prediction = Variable(Tensor([1, 2, 3, 4]), requiresGrad: true)
        meanSquaredError(prediction, Tensor([0, 2, 5, 3])).backward()
        // 2 (p - t) / n
        #expect(prediction.grad == Tensor([0.5, 0, -1, 0.5]))
        var rng = RandomGenerator(seed: 1)
        let target = rng.uniformTensor(shape: [4, 3], low: -1, high: 1)
        let report = GradientCheck.run([rng.uniformTensor(shape: [4, 3], low: -2, high: 2)]) { meanSquaredError($0[0], target) }
        #expect(report.passed, "\(report)")
    }

    // MARK: Binary cross-entropy with logits

    /// -(y log σ(x) + (1 - y) log(1 - σ(x))) in Double.
    private func bce(_ x: Double, _ y: Double) -> Double {
        let s = 1 / (1 + exp(-x))
        return -(y * log(s) + (1 - y) * log(1 - s))
    }

    @Test func binaryCrossEntropyValue() {
        let logits: [Float] = [-2, -0.5, 0, 0.3, 1.7, 4]
        let targets: [Float] = [0, 1, 1, 0, 1, 0]
        let expected = zip(logits, targets).map { bce(Double($0), Double($1)) }.reduce(0, +) / 6
        let loss = binaryCrossEntropyWithLogits(Variable(Tensor(logits)), Tensor(targets))
        #expect(close(loss.value.scalar, expected))
        #expect(Loss.bce(Variable(Tensor(logits)), Tensor(targets)).value == loss.value)
        // At logit 0 the loss is log 2 whatever the target.
        #expect(close(binaryCrossEntropyWithLogits(Variable(Tensor([0, 0])), Tensor([0, 1])).value.scalar, log(2.0)))
        // Soft targets are allowed.
        #expect(close(binaryCrossEntropyWithLogits(Variable(Tensor([0.8])), Tensor([0.25])).value.scalar, bce(0.8, 0.25)))
    }

    @Test func binaryCrossEntropyLargeLogitsStayFinite() {
        let logits = Variable(Tensor(rows: [[50, -50], [50, -50], [100, -100]]), requiresGrad: true)
        let targets = Tensor(rows: [[0, 1], [1, 0], [1, 0]])
        let loss = binaryCrossEntropyWithLogits(logits, targets)
        // Wrong by 50 twice, right (loss ~ e^-50) twice, right by 100 twice.
        #expect(loss.value.isFinite)
        #expect(close(loss.value.scalar, 100.0 / 6))
        loss.backward()
        let grad = logits.grad!
        #expect(grad.isFinite)
        // d/dx = (σ(x) - y) / n.
        let expected: [Float] = [1, -1, 0, 0, 0, 0].map { $0 / 6 }
        for (g, e) in zip(grad.scalars, expected) { #expect(abs(g - e) < 1e-7) }
        // A single confident wrong logit.
        #expect(binaryCrossEntropyWithLogits(Variable(Tensor([50])), Tensor([0])).value == Tensor(50))
    }

    @Test func binaryCrossEntropyGradient() {
        var rng = RandomGenerator(seed: 2)
        let targets = Tensor(shape: [3, 4], generating: { Float($0 % 2) })
        let soft = rng.uniformTensor(shape: [3, 4])
        for t in [targets, soft] {
            let report = GradientCheck.run([rng.uniformTensor(shape: [3, 4], low: -3, high: 3)]) {
                binaryCrossEntropyWithLogits($0[0], t)
            }
            #expect(report.passed, "\(report)")
        }
    }

    // MARK: Softmax cross-entropy

    /// The mean over rows of `-log softmax(row)[label]`, in Double.
    private func manualCrossEntropy(_ logits: Tensor, _ labels: [Int]) -> Double {
        let classes = logits.shape[1]
        var total = 0.0
        for (row, label) in labels.enumerated() {
            let values = (0..<classes).map { Double(logits[row, $0]) }
            let top = values.max()!
            let logSumExp = top + log(values.map { exp($0 - top) }.reduce(0, +))
            total += -(values[label] - logSumExp)
        }
        return total / Double(labels.count)
    }

    @Test func softmaxCrossEntropyValue() {
        let logits = Tensor(rows: [[1, 2, 3], [0, 0, 0], [-1, 5, 0.5], [2, -2, 1]])
        let labels = [2, 0, 1, 0]
        let loss = softmaxCrossEntropy(Variable(logits), labels: labels)
        #expect(close(loss.value.scalar, manualCrossEntropy(logits, labels)))
        // Uniform logits: log(C).
        #expect(close(softmaxCrossEntropy(Variable(Tensor(zeros: [2, 5])), labels: [0, 4]).value.scalar, log(5.0)))
        // Through the Loss enum, labels as a [N, 1] float tensor.
        let viaEnum = Loss.crossEntropy(Variable(logits), Tensor(shape: [4, 1], scalars: [2, 0, 1, 0]))
        #expect(viaEnum.value == loss.value)
        #expect(Loss(rawValue: "ce") == .crossEntropy)
    }

    @Test func softmaxCrossEntropyLargeLogitsStayFinite() {
        let logits = Tensor(rows: [[1000, 0, -1000], [-500, 500, 0]])
        let loss = softmaxCrossEntropy(Variable(logits), labels: [1, 0])
        #expect(loss.value.isFinite)
        #expect(close(loss.value.scalar, (1000 + 1000) / 2.0))
    }

    @Test func logSoftmaxMatchesManual() {
        var rng = RandomGenerator(seed: 3)
        let x = rng.uniformTensor(shape: [3, 6], low: -4, high: 4)
        let y = Variable(x).logSoftmax().value
        for r in 0..<3 {
            let row = (0..<6).map { Double(x[r, $0]) }
            let logSumExp = log(row.map(exp).reduce(0, +))
            for j in 0..<6 { #expect(abs(Double(y[r, j]) - (row[j] - logSumExp)) < 1e-5) }
        }
    }

    @Test func softmaxCrossEntropyGradient() {
        var rng = RandomGenerator(seed: 4)
        let labels = [1, 0, 3, 3, 2]
        let logits = rng.uniformTensor(shape: [5, 4], low: -2, high: 2)
        let report = GradientCheck.run([logits]) { softmaxCrossEntropy($0[0], labels: labels) }
        #expect(report.passed, "\(report)")
        // Closed form: (softmax - onehot) / N.
        let v = Variable(logits, requiresGrad: true)
        softmaxCrossEntropy(v, labels: labels).backward()
        for r in 0..<5 {
            let row = (0..<4).map { Double(logits[r, $0]) }
            let z = row.map(exp).reduce(0, +)
            for j in 0..<4 {
                let expected = (exp(row[j]) / z - (j == labels[r] ? 1 : 0)) / 5
                #expect(abs(Double(v.grad![r, j]) - expected) < 1e-6)
            }
        }
    }
}
