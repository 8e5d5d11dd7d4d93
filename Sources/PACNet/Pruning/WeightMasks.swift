import PACEngine
import PACNN

/// The pruning masks of a network, by parameter name, in PyTorch's `weight_mask` sense:
/// 1 marks an entry kept for the source task, 0 an entry pruned (and free for the target).
/// Parameters without a mask are not pruned.
public struct WeightMasks: Sendable {
    /// Masks in the network's parameter order.
    public let masks: [(name: String, mask: Tensor)]

    public init(_ masks: [(name: String, mask: Tensor)]) {
        for (name, mask) in masks {
            precondition(mask.allSatisfy { $0 == 0 || $0 == 1 }, "mask for \(name) must hold only 0 and 1")
        }
        self.masks = masks
    }

    /// The mask of a parameter, if it is pruned.
    public subscript(name: String) -> Tensor? { masks.first { $0.name == name }?.mask }

    /// Entries covered by the masks.
    public var totalCount: Int { masks.reduce(0) { $0 + $1.mask.count } }
    /// Entries kept for the source task.
    public var keptCount: Int { masks.reduce(0) { $0 + $1.mask.scalars.reduce(0) { $0 + Int($1) } } }
    /// Entries pruned (free for the target task).
    public var prunedCount: Int { totalCount - keptCount }

    /// Pairs each masked parameter of `model` with its mask.
    public func parameters(of model: some Module) -> [(parameter: Parameter, mask: Tensor)] {
        let named = Dictionary(uniqueKeysWithValues: model.namedParameters().map { ($0.name, $0.parameter) })
        return masks.map { name, mask in
            guard let parameter = named[name] else { preconditionFailure("model has no parameter '\(name)'") }
            precondition(parameter.shape == mask.shape, "mask \(mask.shape) for parameter \(name) \(parameter.shape)")
            return (parameter, mask)
        }
    }

    /// Sets pruned entries of `model` to exactly +0.0 (selection, not multiplication, so no -0.0).
    public func zeroPruned(in model: some Module) {
        for (parameter, mask) in parameters(of: model) {
            parameter.value = parameter.value.zipWith(mask) { w, m in m != 0 ? w : 0 }
        }
    }

    /// Copies the entries where the mask is 1 from the same parameters of `original`.
    public func restore(in model: some Module, from original: some Module) {
        for (name, mask) in masks where mask.scalars.contains(1) {
            guard let parameter = model.parameter(named: name), let source = original.parameter(named: name)?.value else {
                preconditionFailure("model has no parameter '\(name)'")
            }
            var values = parameter.value
            for i in 0..<mask.count where mask.scalars[i] == 1 { values.scalars[i] = source.scalars[i] }
            parameter.value = values
        }
    }

    /// 1 - mask for every masked parameter: the entries free for the target task.
    public func inverted() -> WeightMasks {
        WeightMasks(masks.map { ($0.name, $0.mask.map { 1 - $0 }) })
    }
}
