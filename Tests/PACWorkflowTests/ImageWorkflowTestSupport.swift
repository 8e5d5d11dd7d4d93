import PACTestSupport
@testable import PACWorkflow

/// Image and attribute .npy files (`columns` of the fixture's attributes) written to `directory`.
func writeImageFiles(rows: Int, seed: UInt64, columns: [Int], prefix: String, in directory: String) throws -> (images: String, labels: String) {
    try ImageFixture(rows: rows, seed: seed).write(columns: columns, prefix: prefix, in: directory)
}

/// A small two-stage ResNet for 3-channel images, 2 source and 1 target attributes.
let tinyResNet = Architecture.resnet(ResNetArchitecture(blocksPerStage: 1, widths: [4, 8], channels: 3, headOutputs: [2, 1]))
