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
    /// The penalties when the objective is the model's own prediction plus parameter penalties
    /// only (`dataLoss`, `penalized(by:)`), `nil` for any other forward pass: what lets `Trainer`
    /// train an `MLP` without building a graph.
    public let parameterPenalties: [ParameterPenalty]?

    /// An objective with its own forward pass.
    public init(_ forward: @escaping Forward) {
        self.forward = forward
        parameterPenalties = nil
    }

    private init(penalties: [ParameterPenalty]) {
        forward = { model, input in (model(input), penalties.map { $0() }) }
        parameterPenalties = penalties
    }

    /// The data loss alone.
    public static var dataLoss: Objective { Objective(penalties: []) }

    /// The data loss plus a penalty on the parameters.
    public static func penalized(by penalty: ParameterPenalty) -> Objective { Objective(penalties: [penalty]) }
}
