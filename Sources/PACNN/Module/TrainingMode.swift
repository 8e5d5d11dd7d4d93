import PACEngine

/// A module whose forward pass differs between training and evaluation (PyTorch's
/// `module.training`), such as `BatchNorm2d`: in training mode it normalizes with batch statistics
/// and updates its running statistics; in evaluation mode it uses the running statistics and
/// leaves them alone.
///
/// Modules start in training mode, as in PyTorch. Switch a whole model with `setTraining(_:)`
/// (PyTorch's `model.train(on)` / `model.eval()`): it walks the module tree through `children`
/// and sets every `ModeDependent` module it finds. The mode is independent of
/// `GradientMode`: a model in training mode called directly inside `withoutGradients` still
/// updates its running statistics, exactly like a PyTorch model in `train()` mode under
/// `torch.no_grad()`. `Layer.predict` therefore always runs in evaluation mode (it wraps the
/// forward pass in `withTraining(false)`), and `Trainer.fit` switches the model to training mode.
public protocol ModeDependent: AnyObject {
    /// True in training mode (the default), false in evaluation mode.
    var isTraining: Bool { get set }
}

extension Module {
    /// Every `ModeDependent` module of the tree, `self` included, in definition order.
    public func modeDependentModules() -> [any ModeDependent] { modules(ofType: (any ModeDependent).self) }

    /// Puts every mode-dependent module of the tree into training (`true`) or evaluation
    /// (`false`) mode.
    public func setTraining(_ on: Bool) {
        for module in modeDependentModules() { module.isTraining = on }
    }

    /// True when any mode-dependent module of the tree is in training mode; false when all are
    /// in evaluation mode or the tree has none.
    public var isTrainingAny: Bool { modeDependentModules().contains { $0.isTraining } }

    /// Runs `body` with the tree in training (`true`) or evaluation (`false`) mode, then restores
    /// every module's previous mode (even if `body` throws).
    public func withTraining<R>(_ on: Bool, _ body: () throws -> R) rethrows -> R {
        let modules = modeDependentModules()
        let previous = modules.map(\.isTraining)
        for module in modules { module.isTraining = on }
        defer { for (module, mode) in zip(modules, previous) { module.isTraining = mode } }
        return try body()
    }
}
