import PACEngine

/// What one training step minimizes: the data loss of the model's prediction for a batch, plus
/// penalties added after it in order (`((loss + p1) + p2) ...`, so a method's bits do not depend
/// on how its penalties are grouped).
///
/// The one hook through which transfer methods shape training: a parameter penalty (L2-SP,
/// PAC-Net's `lambda * sum w_pruned^2`) ignores the batch; a behavioural one (DELTA's feature
/// maps, BSS's singular values) reads the forward pass of the model being trained, which the
/// trainer passes in.
public struct Objective {
    /// The prediction for a batch's inputs and the penalties to add to its data loss.
    public typealias Forward = (_ model: any Layer, _ input: Variable) -> (prediction: Variable, penalties: [Variable])

    public let forward: Forward

    public init(_ forward: @escaping Forward) { self.forward = forward }

    /// The data loss alone.
    public static var dataLoss: Objective { Objective { model, input in (model(input), []) } }

    /// The data loss plus a penalty on the parameters.
    public static func penalized(by penalty: @escaping () -> Variable) -> Objective {
        Objective { model, input in (model(input), [penalty()]) }
    }
}
