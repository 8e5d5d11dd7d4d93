import PACEngine
import PACNN

/// Which task of a `TaskChain` owns each prunable entry of a network: `0` the source, `1` the
/// first target, `k` the k-th target, `TaskOwnership.free` an entry no task owns (zero, and free
/// for the next task).
///
/// Masks derived from it are nested: task `k` reads the entries of tasks `0...k` (PackNet), so
/// `reads(k)` contains `reads(k - 1)`. The source's entries are PAC-Net's kept entries
/// (`WeightMasks` value 1).
public struct TaskOwnership: Sendable {
    /// The owner of an entry no task owns.
    public static let free: Float = -1

    /// Owners in the network's parameter order (the order of the masks they came from).
    public let owners: [(name: String, owner: Tensor)]

    public init(_ owners: [(name: String, owner: Tensor)]) { self.owners = owners }

    /// Two tasks as PAC-Net leaves them: kept entries (mask 1) the source's, pruned entries the
    /// target's (`target: true`), or free (`target: false`, an allocated network).
    public init(masks: WeightMasks, target: Bool) {
        let pruned: Float = target ? 1 : Self.free
        owners = masks.masks.map { ($0.name, $0.mask.map { $0 != 0 ? 0 : pruned }) }
    }

    /// The largest task index that owns an entry (0 when only the source does).
    public var lastOwner: Int { Int(owners.map { $0.owner.scalars.max() ?? 0 }.max() ?? 0) }

    /// Entries owned by `task`.
    public func count(ownedBy task: Int) -> Int {
        owners.reduce(0) { $0 + $1.owner.scalars.reduce(0) { $0 + ($1 == Float(task) ? 1 : 0) } }
    }

    /// Entries no task owns.
    public var freeCount: Int { count(ownedBy: -1) }

    /// Every entry covered.
    public var totalCount: Int { owners.reduce(0) { $0 + $1.owner.count } }

    /// 1 where `predicate(owner)` holds.
    private func masks(_ predicate: (Float) -> Bool) -> WeightMasks {
        WeightMasks(owners.map { ($0.name, $0.owner.map { predicate($0) ? 1 : 0 }) })
    }

    /// The entries task `task` reads: by default those of tasks `0...task` (nested), with
    /// `.sourceOnly` the source's and its own. Every other entry is zero in its model.
    public func reads(_ task: Int, _ reading: ChainReading = .earlierTasks) -> WeightMasks { masks { reading.reads($0, as: task) } }

    /// The entries other tasks own that `task` does not read.
    func hidden(from task: Int, _ reading: ChainReading) -> WeightMasks { masks { $0 >= 0 && !reading.reads($0, as: task) } }

    /// The entries task `task` owns (the ones it trains).
    public func owned(by task: Int) -> WeightMasks { masks { $0 == Float(task) } }

    /// The entries no task owns.
    public var freeMasks: WeightMasks { masks { $0 == Self.free } }

    /// The free entries handed to `task`.
    public func assigningFree(to task: Int) -> TaskOwnership {
        TaskOwnership(owners.map { ($0.name, $0.owner.map { $0 == Self.free ? Float(task) : $0 }) })
    }

    /// Frees all but the `round(keep * n)` largest-magnitude of the `n` entries `task` owns in
    /// `model` (one ranking across parameters; ties broken by position, earlier first, as in
    /// `MagnitudePruning`).
    public func releasing(_ task: Int, keeping keep: Double, of model: some Module) -> TaskOwnership {
        var candidates: [(tensor: Int, index: Int)] = [], magnitudes: [Float] = []
        for (t, (parameter, mask)) in owned(by: task).parameters(of: model).enumerated() {
            let values = parameter.value.scalars
            for (i, owned) in mask.scalars.enumerated() where owned != 0 {
                candidates.append((t, i))
                magnitudes.append(abs(values[i]))
            }
        }
        // Everything the task owns is released, then its largest entries are given back.
        var result = owners.map { $0.owner.scalars.map { $0 == Float(task) ? Self.free : $0 } }
        for position in MagnitudePruning.largest(magnitudes, count: keptCount(task, keeping: keep)) {
            result[candidates[position].tensor][candidates[position].index] = Float(task)
        }
        return TaskOwnership(owners.enumerated().map { ($0.element.name, Tensor(shape: $0.element.owner.shape, scalars: result[$0.offset])) })
    }

    /// Entries `task` would keep of the ones it owns with `keep`: `round(keep * owned)`.
    public func keptCount(_ task: Int, keeping keep: Double) -> Int { Int((keep * Double(count(ownedBy: task))).rounded()) }
}
