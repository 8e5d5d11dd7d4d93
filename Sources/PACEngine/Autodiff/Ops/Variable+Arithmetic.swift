/// Broadcasting arithmetic. Gradients of broadcast operands are summed back to their shapes.
extension Variable {
    public static func + (a: Variable, b: Variable) -> Variable {
        Variable.record(a.value + b.value, inputs: [a, b]) { g in
            [g.sum(toShape: a.shape), g.sum(toShape: b.shape)]
        }
    }

    public static func - (a: Variable, b: Variable) -> Variable {
        Variable.record(a.value - b.value, inputs: [a, b]) { g in
            [g.sum(toShape: a.shape), (-g).sum(toShape: b.shape)]
        }
    }

    public static func * (a: Variable, b: Variable) -> Variable {
        Variable.record(a.value * b.value, inputs: [a, b]) { g in
            [a.requiresGrad ? (g * b.value).sum(toShape: a.shape) : nil,
             b.requiresGrad ? (g * a.value).sum(toShape: b.shape) : nil]
        }
    }

    public static func / (a: Variable, b: Variable) -> Variable {
        Variable.record(a.value / b.value, inputs: [a, b]) { g in
            [a.requiresGrad ? (g / b.value).sum(toShape: a.shape) : nil,
             b.requiresGrad ? (g * a.value).zipWith(b.value) { ga, bv in -ga / (bv * bv) }.sum(toShape: b.shape) : nil]
        }
    }

    public static prefix func - (a: Variable) -> Variable {
        Variable.record(-a.value, inputs: [a]) { g in [-g] }
    }

    public static func * (a: Variable, s: Float) -> Variable {
        Variable.record(a.value * s, inputs: [a]) { g in [g * s] }
    }

    public static func * (s: Float, a: Variable) -> Variable { a * s }

    public static func + (a: Variable, s: Float) -> Variable {
        Variable.record(a.value + s, inputs: [a]) { g in [g] }
    }

    public static func - (a: Variable, s: Float) -> Variable { a + (-s) }

    public static func / (a: Variable, s: Float) -> Variable { a * (1 / s) }

    public static func + (a: Variable, b: Tensor) -> Variable { a + Variable(b) }
    public static func - (a: Variable, b: Tensor) -> Variable { a - Variable(b) }
    public static func * (a: Variable, b: Tensor) -> Variable { a * Variable(b) }
}
