import PACEngine

/// A module with running statistics that can be held fixed while the rest of the model trains
/// (`BatchNorm2d.freezesStatistics`).
public protocol StatisticsFreezable: AnyObject {
    /// Normalize with, and never update, the running statistics even in training mode.
    var freezesStatistics: Bool { get set }
}

extension Module {
    /// Every module of the tree that is of type `T`, `self` included, in definition order.
    public func modules<T>(ofType type: T.Type) -> [T] {
        var result: [T] = []
        if let own = self as? T { result.append(own) }
        for (_, child) in children { result += child.modules(ofType: type) }
        return result
    }

    /// Runs `body` with every statistics-holding module of the tree frozen (see
    /// `StatisticsFreezable`), then restores each module's previous setting (even if `body`
    /// throws). PAC-Net calibration uses it so that the statistics the source model reads stay
    /// bit-identical.
    public func withStatisticsFrozen<R, E: Error>(_ body: () throws(E) -> R) throws(E) -> R {
        let modules = modules(ofType: (any StatisticsFreezable).self)
        let previous = modules.map(\.freezesStatistics)
        for module in modules { module.freezesStatistics = true }
        defer { for (module, setting) in zip(modules, previous) { module.freezesStatistics = setting } }
        return try body()
    }
}
