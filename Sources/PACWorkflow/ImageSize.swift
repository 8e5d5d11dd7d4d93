import Foundation
import PACEngine

/// The height and width of image inputs; stored in model files (`pacnet.image_size`, a JSON
/// `[height, width]`) so data of another size is refused rather than silently rescored.
public struct ImageSize: Sendable, Equatable, CustomStringConvertible {
    public var height: Int
    public var width: Int

    public init(height: Int, width: Int) {
        self.height = height
        self.width = width
    }

    /// The size of `[N, C, H, W]` inputs; nil for other ranks.
    public init?(inputs: Tensor) {
        guard inputs.rank == 4 else { return nil }
        self.init(height: inputs.shape[2], width: inputs.shape[3])
    }

    /// `32x32` (height x width).
    public var description: String { "\(height)x\(width)" }

    /// `[32,32]`.
    var json: String { "[\(height),\(width)]" }

    /// Parses `json`.
    init(json: String, file: String) throws(WorkflowError) {
        guard let values = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [Int], values.count == 2,
              values.allSatisfy({ $0 > 0 }) else {
            throw WorkflowError("\(file): image size metadata '\(json)' is not a JSON [height, width]")
        }
        self.init(height: values[0], width: values[1])
    }
}
