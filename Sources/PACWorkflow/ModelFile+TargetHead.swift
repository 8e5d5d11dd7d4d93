import PACEngine
import PACNN
import PACNet

extension ModelFile {
    /// Whether the model is a single-task image model (one head), to which a transfer adds the
    /// target task's head.
    public var lacksTargetHead: Bool {
        if case .resnet(let resnet) = architecture { return resnet.headOutputs.count == 1 }
        return false
    }

    /// The model with a freshly initialized target head of `outputs` attributes (PyTorch's
    /// `nn.Linear` initialization, from the seed's `workflow/target-head` stream); every other
    /// value is shared with this model unchanged.
    public func addingTargetHead(outputs: Int, seed: UInt64) throws(WorkflowError) -> ModelFile {
        guard case .resnet(let resnet) = architecture, resnet.headOutputs.count == 1 else {
            throw WorkflowError("architecture \(architecture) already has a target head")
        }
        return try addingHead(outputs: outputs, seed: seed, stream: "workflow/target-head")
    }

    /// The model with one more head, of `outputs` attributes (PyTorch's `nn.Linear`
    /// initialization from the seed's `stream`), for a new task; an MLP is returned unchanged
    /// (its one output layer serves every task).
    public func addingHead(outputs: Int, seed: UInt64, stream: String) throws(WorkflowError) -> ModelFile {
        guard case .resnet(var resnet) = architecture else { return self }
        guard let model = network as? MultiHeadModel<ResNet>, resnet.headOutputs.count < ResNetArchitecture.maxHeads else {
            throw WorkflowError("architecture \(architecture) cannot take another head (at most \(ResNetArchitecture.maxHeads))")
        }
        var rng = RandomGenerator(seed: seed, stream: stream)
        let head = Linear(inFeatures: model.backbone.featureCount, outFeatures: outputs, rng: &rng)
        resnet.headOutputs.append(outputs)
        var result = self
        result.architecture = .resnet(resnet)
        result.network = MultiHeadModel(backbone: model.backbone.clone(), heads: model.heads.map { $0.clone() } + [head])
        return result
    }
}
