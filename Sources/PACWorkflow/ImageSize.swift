import PACEngine
import PACIO

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

    /// Parses `json`, a JSON `[height, width]` of positive integers; nil for anything else.
    init?(json: String) {
        guard let value = SafetensorsJSONValue(parsing: json), case .array(let elements) = value, elements.count == 2,
              let height = elements[0].nonNegativeInt, let width = elements[1].nonNegativeInt, height > 0, width > 0 else {
            return nil
        }
        self.init(height: height, width: width)
    }
}
