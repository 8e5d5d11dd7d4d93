import PACEngine

/// A building block of a neural network: it owns parameters, buffers and child modules, each
/// with a local name. Full names are dotted paths in PyTorch's convention (`layers.0.weight`,
/// `stages.0.0.bn1.running_mean`), stable for a given architecture.
public protocol Module: AnyObject {
    /// Parameters owned directly by this module, with local names such as `weight` and `bias`.
    var ownParameters: [(name: String, parameter: Parameter)] { get }
    /// Buffers (non-trainable state, see `Buffer`) owned directly by this module, with local
    /// names such as `running_mean`, in PyTorch's registration order.
    var ownBuffers: [(name: String, buffer: Buffer)] { get }
    /// Child modules with local names such as `layers` or `0`.
    var children: [(name: String, module: any Module)] { get }
}

extension Module {
    public var ownParameters: [(name: String, parameter: Parameter)] { [] }
    public var ownBuffers: [(name: String, buffer: Buffer)] { [] }
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

    /// The model's state by dotted name, in PyTorch's `state_dict()` order: each module's own
    /// parameters, then its own buffers, then its children's entries, recursively. A model
    /// without buffers (such as `MLP`) lists exactly its `namedParameters()`.
    public func stateDict() -> [(name: String, value: Tensor)] {
        var result = ownParameters.map { ($0.name, $0.parameter.value) } + ownBuffers.map { ($0.name, $0.buffer.value) }
        for (childName, child) in children {
            result += child.stateDict().map { ("\(childName).\($0.name)", $0.value) }
        }
        return result
    }

    /// Replaces parameter and buffer values from a name -> tensor map. Every parameter and buffer
    /// must be present with the right shape, except that a missing `num_batches_tracked` buffer
    /// keeps its current value (as PyTorch does for checkpoints written before that buffer
    /// existed). Entries the model does not have are ignored. Nothing is written unless the
    /// whole map validates.
    public func loadStateDict(_ state: [String: Tensor]) throws(ModuleError) {
        let parameters = namedParameters(), buffers = namedBuffers()
        for (name, parameter) in parameters {
            guard let value = state[name] else { throw .missingParameter(name) }
            guard value.shape == parameter.shape else { throw .shapeMismatch(name, expected: parameter.shape, found: value.shape) }
        }
        for (name, buffer) in buffers {
            guard let value = state[name] else {
                if Buffer.mayBeMissing(name) { continue }
                throw .missingBuffer(name)
            }
            guard value.shape == buffer.shape else { throw .shapeMismatch(name, expected: buffer.shape, found: value.shape) }
        }
        for (name, parameter) in parameters { parameter.value = state[name]! }
        for (name, buffer) in buffers { if let value = state[name] { buffer.value = value } }
    }

    /// Copies the whole state — every parameter value and every buffer (such as batch
    /// normalization's running statistics) — from a module of the same architecture. Update
    /// masks, gradients and training modes are not copied.
    public func copyState(from other: some Module) {
        let source = Dictionary(uniqueKeysWithValues: other.stateDict().map { ($0.name, $0.value) })
        do { try loadStateDict(source) } catch { preconditionFailure("copyState: \(error)") }
    }
}

/// A module that maps an input to an output.
public protocol Layer: Module {
    /// The forward pass (in the current training or evaluation mode, see `ModeDependent`).
    func callAsFunction(_ input: Variable) -> Variable
    /// An independent deep copy: same architecture, same parameter values and update masks,
    /// same buffer values, same training mode and settings of every mode-dependent module.
    func clone() -> Self
}

extension Layer {
    /// Runs the forward pass on a tensor without recording a graph (inference), in evaluation
    /// mode: every mode-dependent module (such as `BatchNorm2d`) uses its running statistics and
    /// leaves them unchanged; each module's previous mode is restored afterwards.
    public func predict(_ input: Tensor) -> Tensor {
        withTraining(false) { GradientMode.withoutGradients { self(Variable(input)).value } }
    }

    /// Inference in row batches, so large inputs never materialize all activations at once (in
    /// evaluation mode, as `predict(_:)`).
    public func predict(_ input: Tensor, batchSize: Int) -> Tensor {
        let rows = input.shape[0]
        if rows <= batchSize { return predict(input) }
        return withTraining(false) {
            let parts = stride(from: 0, to: rows, by: batchSize).map { start in
                predict(input.slice(axis: 0, start..<min(rows, start + batchSize)))
            }
            return Tensor.concatenate(parts, axis: 0)
        }
    }
}

/// Errors from loading a state dictionary into a module.
public enum ModuleError: Error, Equatable, CustomStringConvertible {
    case missingParameter(String)
    case missingBuffer(String)
    case shapeMismatch(String, expected: [Int], found: [Int])

    public var description: String {
        switch self {
        case .missingParameter(let name): "missing parameter '\(name)'"
        case .missingBuffer(let name): "missing buffer '\(name)'"
        case .shapeMismatch(let name, let expected, let found): "'\(name)' has shape \(found), expected \(expected)"
        }
    }
}
