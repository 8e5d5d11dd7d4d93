import PACEngine

/// A building block of a neural network: it owns parameters and child modules, each with a
/// local name. Full parameter names are dotted paths in PyTorch's convention
/// (`layers.0.weight`), stable for a given architecture.
public protocol Module: AnyObject {
    /// Parameters owned directly by this module, with local names such as `weight` and `bias`.
    var ownParameters: [(name: String, parameter: Parameter)] { get }
    /// Child modules with local names such as `layers` or `0`.
    var children: [(name: String, module: any Module)] { get }
}

extension Module {
    public var ownParameters: [(name: String, parameter: Parameter)] { [] }
    public var children: [(name: String, module: any Module)] { [] }

    /// Every parameter of the tree with its dotted name, in definition order.
    public func namedParameters() -> [(name: String, parameter: Parameter)] {
        var result = ownParameters
        for (childName, child) in children {
            result += child.namedParameters().map { ("\(childName).\($0.name)", $0.parameter) }
        }
        return result
    }

    /// Every parameter of the tree, in definition order.
    public func parameters() -> [Parameter] { namedParameters().map(\.parameter) }

    /// The parameter with a dotted name, if any.
    public func parameter(named name: String) -> Parameter? {
        namedParameters().first { $0.name == name }?.parameter
    }

    /// The total number of scalars in all parameters.
    public var parameterCount: Int { parameters().reduce(0) { $0 + $1.value.count } }

    /// Clears every parameter's gradient.
    public func zeroGrad() { parameters().forEach { $0.zeroGrad() } }

    /// The parameter values by dotted name, in definition order.
    public func stateDict() -> [(name: String, value: Tensor)] {
        namedParameters().map { ($0.name, $0.parameter.value) }
    }

    /// Replaces parameter values from a name -> tensor map; every parameter must be present
    /// with the right shape.
    public func loadStateDict(_ state: [String: Tensor]) throws(ModuleError) {
        let named = namedParameters()
        for (name, parameter) in named {
            guard let value = state[name] else { throw .missingParameter(name) }
            guard value.shape == parameter.shape else { throw .shapeMismatch(name, expected: parameter.shape, found: value.shape) }
        }
        for (name, parameter) in named { parameter.value = state[name]! }
    }

    /// Copies every parameter value (not masks or gradients) from a module of the same architecture.
    public func copyParameters(from other: some Module) {
        let source = Dictionary(uniqueKeysWithValues: other.stateDict().map { ($0.name, $0.value) })
        do { try loadStateDict(source) } catch { preconditionFailure("copyParameters: \(error)") }
    }
}

/// A module that maps an input to an output.
public protocol Layer: Module {
    /// The forward pass.
    func callAsFunction(_ input: Variable) -> Variable
    /// An independent deep copy: same architecture, same parameter values and update masks.
    func clone() -> Self
}

extension Layer {
    /// Runs the forward pass on a tensor without recording a graph (inference).
    public func predict(_ input: Tensor) -> Tensor {
        GradientMode.withoutGradients { self(Variable(input)).value }
    }

    /// Inference in row batches, so large inputs never materialize all activations at once.
    public func predict(_ input: Tensor, batchSize: Int) -> Tensor {
        let rows = input.shape[0]
        if rows <= batchSize { return predict(input) }
        let parts = stride(from: 0, to: rows, by: batchSize).map { start in
            predict(input.slice(axis: 0, start..<min(rows, start + batchSize)))
        }
        return Tensor.concatenate(parts, axis: 0)
    }
}

/// Errors from loading parameters into a module.
public enum ModuleError: Error, Equatable, CustomStringConvertible {
    case missingParameter(String)
    case shapeMismatch(String, expected: [Int], found: [Int])

    public var description: String {
        switch self {
        case .missingParameter(let name): "missing parameter '\(name)'"
        case .shapeMismatch(let name, let expected, let found): "parameter '\(name)' has shape \(found), expected \(expected)"
        }
    }
}
