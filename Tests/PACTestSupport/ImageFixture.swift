import Foundation
import PACEngine
import PACIO

/// Deterministic tiny RGB images with 0/1 attributes that the pixels show, as .npy files the way
/// NumPy saves them: `images` is uint8 `rows x size x size x 3`; attribute 0 is a bright red
/// channel, 1 a green left half, 2 a blue top half.
public struct ImageFixture: Sendable {
    public let rows: Int
    public let size: Int
    /// The pixels, channels last.
    public let pixels: [UInt8]
    /// Every row's three attributes.
    public let attributes: [[UInt8]]

    public init(rows: Int, size: Int = 8, seed: UInt64) {
        self.rows = rows
        self.size = size
        var rng = RandomGenerator(seed: seed, stream: "tests/images")
        var pixels: [UInt8] = [], attributes: [[UInt8]] = []
        for _ in 0..<rows {
            let flags = (0..<3).map { _ in UInt8(rng.uniform(0, 1) < 0.5 ? 1 : 0) }
            for y in 0..<size {
                for x in 0..<size {
                    let noise = { UInt8(rng.uniform(0, 60)) }
                    pixels.append(noise() + (flags[0] == 1 ? 150 : 0))
                    pixels.append(noise() + (flags[1] == 1 && x < size / 2 ? 150 : 0))
                    pixels.append(noise() + (flags[2] == 1 && y < size / 2 ? 150 : 0))
                }
            }
            attributes.append(flags)
        }
        self.pixels = pixels
        self.attributes = attributes
    }

    /// The images as a uint8 .npy file.
    public var imagesNPY: Data { NPYArray.encode(bytes: pixels, dtype: .uint8, shape: [rows, size, size, 3]) }

    /// The chosen attribute columns as a `rows x columns.count` uint8 .npy file.
    public func attributesNPY(_ columns: [Int]) -> Data {
        NPYArray.encode(bytes: attributes.flatMap { row in columns.map { row[$0] } }, dtype: .uint8, shape: [rows, columns.count])
    }

    /// Writes `<prefix>.npy` and `<prefix>_attrs.npy` into `directory`; returns their paths.
    public func write(columns: [Int], prefix: String, in directory: String) throws -> (images: String, labels: String) {
        let images = (directory as NSString).appendingPathComponent("\(prefix).npy")
        let labels = (directory as NSString).appendingPathComponent("\(prefix)_attrs.npy")
        try imagesNPY.write(to: URL(fileURLWithPath: images))
        try attributesNPY(columns).write(to: URL(fileURLWithPath: labels))
        return (images, labels)
    }
}
