import Foundation
import PACEngine
import PACIO
import PACTestSupport

extension BadInputTests {
    static let sourceImages = ImageFixture(rows: 24, seed: 1)
    static let targetImages = ImageFixture(rows: 12, seed: 2)
    static let imageFiles: [String: Data] = [
        "s.npy": sourceImages.imagesNPY, "s_attrs.npy": sourceImages.attributesNPY([0, 1]),
        "t.npy": targetImages.imagesNPY, "t_attrs.npy": targetImages.attributesNPY([2]),
    ]
    static let imageOut = ["--source-epochs", "1", "--allocate-epochs", "1", "--target-epochs", "1",
                           "--out", "$D/out.safetensors", "--quiet"]

    /// `pacnet transfer` of images, with `files` replacing or adding to the good ones.
    static func transfer(_ name: String, _ files: [String: Data], source: String = "s", sourceLabels: String = "s_attrs",
                         target: String = "t", arch: String = "resnet:1:4", extra: [String] = [], _ fragments: [String]) -> Case {
        Case(name: name, files: imageFiles.merging(files) { $1 },
             arguments: ["transfer", "--source", "$D/\(source).npy", "--source-labels", "$D/\(sourceLabels).npy",
                         "--target", "$D/\(target).npy", "--target-labels", "$D/t_attrs.npy", "--arch", arch] + extra + imageOut,
             fragments: fragments)
    }

    /// A model trained on the good images, for evaluate and predict cases.
    static let trainImageModel = ["transfer", "--source", "$D/s.npy", "--source-labels", "$D/s_attrs.npy", "--target", "$D/t.npy",
                                  "--target-labels", "$D/t_attrs.npy", "--arch", "resnet:1:4", "--source-epochs", "1",
                                  "--allocate-epochs", "1", "--target-epochs", "1", "--out", "$D/model.safetensors", "--quiet"]

    static var labelsWithATwo: Data {
        var labels = sourceImages.attributes.flatMap { [Int($0[0]), Int($0[1])] }
        labels[5 * 2 + 1] = 2
        return NPYArray.encode(integers: labels, shape: [24, 2])
    }

    static var labelsWithANaN: Data {
        var labels = sourceImages.attributes.flatMap { [Float($0[0]), Float($0[1])] }
        labels[7 * 2] = .nan
        return NPYArray.encode(Tensor(shape: [24, 2], scalars: labels))
    }

    static let imageCases: [Case] = [
        transfer("rank-3 images", ["gray.npy": NPYArray.encode(bytes: Array(sourceImages.pixels.prefix(24 * 64)), dtype: .uint8, shape: [24, 8, 8])],
                 source: "gray", ["$D/gray.npy: expected uint8 images N x H x W x C", "got shape (24, 8, 8)"]),
        transfer("float images", ["float.npy": NPYArray.encode(Tensor(zeros: [24, 8, 8, 3]))], source: "float",
                 ["$D/float.npy: expected uint8 pixels 0-255", "got dtype float32"]),
        transfer("attribute that is not 0/1", ["bad.npy": labelsWithATwo], sourceLabels: "bad",
                 ["$D/bad.npy (column 'y1') (element [5, 1]): label 2.0 is not 0 or 1"]),
        transfer("NaN attribute", ["nan.npy": labelsWithANaN], sourceLabels: "nan", ["$D/nan.npy (element [7, 0]): value is NaN"]),
        transfer("labels with fewer rows", ["short.npy": ImageFixture(rows: 20, seed: 1).attributesNPY([0, 1])], sourceLabels: "short",
                 ["$D/s.npy has 24 rows but $D/short.npy has 20"]),
        transfer("labels of rank 3", ["cube.npy": NPYArray.encode(bytes: Array(repeating: 1, count: 48), dtype: .uint8, shape: [24, 2, 1])],
                 sourceLabels: "cube", ["$D/cube.npy: expected an N or N x T array, got shape (24, 2, 1)"]),
        transfer("target images of another size", ["big.npy": ImageFixture(rows: 12, size: 16, seed: 2).imagesNPY], target: "big",
                 ["$D/big.npy holds 16x16 images with 3 channels, but $D/s.npy holds 8x8 images with 3 channels"]),
        transfer("names file with the wrong count", ["names.txt": Data("a\nb\nc\n".utf8)], extra: ["--source-names", "$D/names.txt"],
                 ["$D/names.txt names 3 columns, but $D/s_attrs.npy has 2"]),
        transfer("--arch with other channels", [:], arch: "resnet:1:4:1",
                 ["architecture resnet:1:4:1:heads=2,1 takes 1-channel images, but $D/s.npy holds 3-channel images"]),
        Case(name: "evaluate on images of another size", files: imageFiles.merging(["big.npy": ImageFixture(rows: 12, size: 16, seed: 2).imagesNPY]) { $1 },
             prepare: [trainImageModel],
             arguments: ["evaluate", "--model", "$D/model.safetensors", "--data", "$D/big.npy", "--labels", "$D/t_attrs.npy"],
             fragments: ["the model was trained on 8x8 images, but $D/big.npy holds 16x16 images"]),
        Case(name: "evaluate the target task with the source's attributes", files: imageFiles, prepare: [trainImageModel],
             arguments: ["evaluate", "--model", "$D/model.safetensors", "--data", "$D/s.npy", "--labels", "$D/s_attrs.npy", "--task", "target"],
             fragments: ["architecture resnet:1:4:3:heads=2,1 has 1 outputs for the target task, but $D/s_attrs.npy has 2 target columns"]),
        Case(name: "predict on grayscale images", files: imageFiles.merging(["gray.npy": NPYArray.encode(bytes: Array(repeating: 9, count: 12 * 64), dtype: .uint8, shape: [12, 8, 8, 1])]) { $1 },
             prepare: [trainImageModel],
             arguments: ["predict", "--model", "$D/model.safetensors", "--data", "$D/gray.npy", "--out", "$D/out.csv"],
             fragments: ["takes 3-channel images, but $D/gray.npy holds 1-channel images"]),
    ]
}
