import PACEngine

/// The intermediate representations of one forward pass, for penalties that compare them
/// (DELTA's feature-map distance, BSS's spectral shrinkage).
public struct ForwardTrace {
    /// The network's output, identical to `callAsFunction`'s.
    public let output: Variable
    /// The hidden feature maps the network exposes, shallow to deep (see each conformer).
    public let featureMaps: [Variable]
    /// The input of the output layer, `[N, d]`.
    public let features: Variable

    public init(output: Variable, featureMaps: [Variable], features: Variable) {
        self.output = output
        self.featureMaps = featureMaps
        self.features = features
    }
}

/// A layer that can return its hidden representations along with its output.
public protocol FeatureExtracting: Layer {
    /// The forward pass (same output and mode behaviour as `callAsFunction`) with its hidden
    /// representations.
    func trace(_ input: Variable) -> ForwardTrace
}

extension MLP: FeatureExtracting {
    /// Feature maps: every hidden layer's activation output; features: the last of them.
    public func trace(_ input: Variable) -> ForwardTrace {
        let linears = linearLayers
        var x = input
        var maps: [Variable] = []
        for linear in linears.dropLast() {
            x = linear(x, activation: activation)
            maps.append(x)
        }
        return ForwardTrace(output: linears[linears.count - 1](x), featureMaps: maps, features: x)
    }
}

extension ResNet: FeatureExtracting {
    /// Feature maps: the output of every stage (`[N, width, H, W]`); output and features: the
    /// globally average-pooled last stage.
    public func trace(_ input: Variable) -> ForwardTrace {
        precondition(input.value.rank == 4 && input.shape[1] == inChannels,
                     "ResNet expects [N, \(inChannels), H, W], got \(input.shape)")
        var x = stem(input)
        var maps: [Variable] = []
        for stage in stages.layers {
            x = stage(x)
            maps.append(x)
        }
        let pooled = x.globalAveragePool()
        return ForwardTrace(output: pooled, featureMaps: maps, features: pooled)
    }
}

extension MultiHeadModel: FeatureExtracting where Backbone: FeatureExtracting {
    /// The backbone's feature maps; features: the backbone's output; output: the active head's.
    public func trace(_ input: Variable) -> ForwardTrace {
        let body = backbone.trace(input)
        return ForwardTrace(output: heads[activeHead](body.output), featureMaps: body.featureMaps, features: body.output)
    }
}
