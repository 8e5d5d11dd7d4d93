import Foundation
import PACEngine
import Testing
@testable import PACBenchmarks

/// The `shapes` image generator: determinism, layout, attribute rates, and that every attribute
/// can be read off the image (measured here from renders, independently of the attribute code).
@Suite struct ShapesGeneratorTests {
    static let size = ShapesGenerator.imageSize
    static let plane = size * size

    /// One image rendered from parameters (`object` / `noise` switched as asked).
    static func render(_ p: ShapeParameters, object: Bool = true, noise: Bool = true) -> [Float] {
        var image = [Float](repeating: 0, count: 3 * plane)
        image.withUnsafeMutableBufferPointer { ShapesGenerator.render(p, into: $0.baseAddress!, object: object, noise: noise) }
        return image
    }

    /// The object alone, noise-free, on a black plain background.
    static func objectOnBlack(_ p: ShapeParameters) -> [Float] {
        var q = p
        q.background = .plain
        q.backgroundLevel = 0
        q.gradientX = 0
        q.gradientY = 0
        return render(q, noise: false)
    }

    static func attribute(_ p: ShapeParameters, _ a: ShapesAttribute) -> Bool { p.attributes[a.rawValue] }

    @Test func attributeNamesAndSides() {
        #expect(ShapesGenerator.attributeNames == [
            "is_circle", "is_square", "is_triangle", "is_red", "is_green", "is_blue", "is_large", "is_left",
            "is_top", "is_rotated", "has_striped_background", "is_bright_background", "is_cross", "is_bright_object",
            "has_vertical_stripes", "is_noisy",
        ])
        #expect(ShapesGenerator.attributeNames(.source) == Array(ShapesGenerator.attributeNames[0..<8]))
        #expect(ShapesGenerator.attributeNames(.target) == Array(ShapesGenerator.attributeNames[8..<16]))
        #expect(ShapesAttribute.allCases.filter { $0.side == .source }.map(\.rawValue) == Array(0..<8))
    }

    @Test func outputShapesValuesAndColumns() {
        let (images, attributes) = ShapesGenerator().generate(count: 40, seed: 1, stream: "layout")
        #expect(images.shape == [40, 3, 32, 32])
        #expect(attributes.shape == [40, 16])
        #expect(images.allSatisfy { $0 >= 0 && $0 <= 1 })
        #expect(attributes.allSatisfy { $0 == 0 || $0 == 1 })
        let source = ShapesGenerator.attributes(attributes, for: .source)
        let target = ShapesGenerator.attributes(attributes, for: .target)
        #expect(source.shape == [40, 8] && target.shape == [40, 8])
        for n in 0..<40 {
            for k in 0..<8 {
                #expect(source[n, k] == attributes[n, k] && target[n, k] == attributes[n, k + 8])
            }
            let row = (0..<16).map { attributes[n, $0] == 1 }
            // Exactly one shape and one colour; vertical stripes are stripes; circles are never rotated.
            #expect([0, 1, 2, 12].filter { row[$0] }.count == 1)
            #expect([3, 4, 5].filter { row[$0] }.count == 1)
            #expect(!row[14] || row[10])
            #expect(!(row[0] && row[9]))
        }
        let data = ShapesGenerator().dataset(count: 40, seed: 1, stream: "layout", side: .target)
        #expect(data.inputs == images && data.targets == target)
    }

    @Test func deterministicPrefixStableAndSeedDependent() {
        let generator = ShapesGenerator()
        let large = generator.generate(count: 70, seed: 9, stream: "source-train")
        let again = generator.generate(count: 70, seed: 9, stream: "source-train")
        let small = generator.generate(count: 13, seed: 9, stream: "source-train")
        #expect(large.images == again.images && large.attributes == again.attributes)
        #expect(large.images.slice(axis: 0, 0..<13) == small.images)
        #expect(large.attributes.slice(axis: 0, 0..<13) == small.attributes)
        #expect(generator.generate(count: 13, seed: 10, stream: "source-train").images != small.images)
        #expect(generator.generate(count: 13, seed: 9, stream: "target-train").images != small.images)
        // The thread count never changes the result.
        let serial = ShapesGenerator(maxThreads: 1).generate(count: 70, seed: 9, stream: "source-train")
        let threaded = ShapesGenerator(maxThreads: 4).generate(count: 70, seed: 9, stream: "source-train")
        #expect(serial.images == large.images && threaded.images == large.images)
        #expect(generator.generate(count: 0, seed: 9, stream: "x").images.shape == [0, 3, 32, 32])
    }

    @Test func imagesAreRenderedFromTheReportedParameters() {
        let generator = ShapesGenerator()
        let (images, attributes) = generator.generate(count: 12, seed: 4, stream: "debug")
        let parameters = generator.parameters(count: 12, seed: 4, stream: "debug")
        let scalars = images.scalars
        for (n, p) in parameters.enumerated() {
            #expect(Array(scalars[(n * 3 * Self.plane)..<((n + 1) * 3 * Self.plane)]) == Self.render(p))
            #expect((0..<16).map { attributes[n, $0] == 1 } == p.attributes)
        }
    }

    @Test func everyAttributeIsRoughlyBalanced() {
        let count = 4000
        let (_, attributes) = ShapesGenerator().generate(count: count, seed: 2, stream: "rates")
        let values = attributes.scalars
        for attribute in ShapesAttribute.allCases {
            let rate = (0..<count).reduce(0.0) { $0 + Double(values[$1 * 16 + attribute.rawValue]) } / Double(count)
            #expect(abs(rate - attribute.expectedRate) < 0.035, "\(attribute.name): \(rate) vs \(attribute.expectedRate)")
            #expect((0.2...0.6).contains(rate), "\(attribute.name): \(rate)")
        }
    }

    /// Shape, colour, size, position, rotation and brightness, measured on the object rendered
    /// alone on black without noise.
    @Test func objectAttributesAreVisible() {
        let parameters = ShapesGenerator().parameters(count: 400, seed: 5, stream: "object")
        var worstTurnError: Float = 0
        for p in parameters {
            let image = Self.objectOnBlack(p)
            // mass = coverage * value (the largest channel of a covered pixel is the HSV value).
            var mass = [Float](repeating: 0, count: Self.plane)
            for k in 0..<Self.plane { mass[k] = max(image[k], image[Self.plane + k], image[2 * Self.plane + k]) }
            let peak = mass.max()!
            #expect(abs(peak - p.value) < 1e-5, "fully covered pixels show the object's value")
            #expect((peak >= 0.75) == Self.attribute(p, .isBrightObject))

            let total = mass.reduce(0, +)
            let area = total / p.value
            #expect((area >= 135) == Self.attribute(p, .isLarge), "area \(area), radius \(p.radius)")
            if p.extent + 0.5 < min(p.centerX, p.centerY, 32 - p.centerX, 32 - p.centerY) {
                // Unclipped: every shape of radius r has the area of the circle of radius r.
                #expect(abs(area / (Float.pi * p.radius * p.radius) - 1) < 0.06, "\(p.kind) area \(area), radius \(p.radius)")
            }

            var mx: Float = 0, my: Float = 0
            for i in 0..<Self.size {
                for j in 0..<Self.size {
                    mx += mass[i * Self.size + j] * (Float(j) + 0.5)
                    my += mass[i * Self.size + j] * (Float(i) + 0.5)
                }
            }
            #expect((mx / total < 16) == Self.attribute(p, .isLeft), "centroid x \(mx / total)")
            #expect((my / total < 16) == Self.attribute(p, .isTop), "centroid y \(my / total)")

            // Colour: the dominant channel of the fully covered pixels.
            var rgb: [Float] = [0, 0, 0]
            for k in 0..<Self.plane where mass[k] >= peak - 1e-5 {
                for c in 0..<3 { rgb[c] += image[c * Self.plane + k] }
            }
            let dominant = rgb.indices.max { rgb[$0] < rgb[$1] }!
            #expect(Self.attribute(p, .isRed) == (dominant == 0))
            #expect(Self.attribute(p, .isGreen) == (dominant == 1))
            #expect(Self.attribute(p, .isBlue) == (dominant == 2))

            // Rotation from angular moments of the mass about the centroid: the arguments of
            // sum m z^4 (squares, crosses) and sum m z^3 (triangles) turn with the object.
            let cx = mx / total, cy = my / total
            var re: Double = 0, im: Double = 0
            let order: Int, symmetry: Float, upright: Double
            switch p.kind {
            case .circle: continue
            case .square: (order, symmetry, upright) = (4, 90, Double.pi) // corners at 45 degrees
            case .cross: (order, symmetry, upright) = (4, 90, 0) // arms along the axes
            case .triangle: (order, symmetry, upright) = (3, 120, Double.pi / 2) // apex up (y down)
            }
            for i in 0..<Self.size {
                for j in 0..<Self.size where mass[i * Self.size + j] > 0 {
                    let dx = Double(Float(j) + 0.5 - cx), dy = Double(Float(i) + 0.5 - cy)
                    let rho = (dx * dx + dy * dy).squareRoot(), phi = atan2(dy, dx)
                    let weight = Double(mass[i * Self.size + j]) * pow(rho, Double(order))
                    re += weight * cos(Double(order) * phi)
                    im += weight * sin(Double(order) * phi)
                }
            }
            let angle = Float((atan2(im, re) - upright) / Double(order) * 180 / Double.pi)
            let turn = abs(angle - symmetry * (angle / symmetry).rounded())
            worstTurnError = max(worstTurnError, abs(turn - p.turnFromUpright))
            #expect((turn >= 15) == Self.attribute(p, .isRotated), "\(p.kind): measured \(turn), drawn \(p.rotation)")
        }
        #expect(worstTurnError < 6, "rotation measured within \(worstTurnError) degrees")
    }

    /// Stripes, their direction and the background's brightness from the background alone; the
    /// noise level from the difference between the image and its noise-free render.
    @Test func backgroundAndNoiseAttributesAreVisible() {
        let parameters = ShapesGenerator().parameters(count: 300, seed: 6, stream: "background")
        for p in parameters {
            let background = Self.render(p, object: false, noise: false)
            var alongX = 0, alongY = 0
            for i in 0..<Self.size {
                for j in 0..<(Self.size - 1) {
                    if abs(background[i * Self.size + j + 1] - background[i * Self.size + j]) > 0.04 { alongX += 1 }
                    if abs(background[(j + 1) * Self.size + i] - background[j * Self.size + i]) > 0.04 { alongY += 1 }
                }
            }
            // Stripes: at least ~3 intensity steps per line across them, none along them.
            let vertical = alongX >= 3 * Self.size && alongY == 0
            let horizontal = alongY >= 3 * Self.size && alongX == 0
            #expect((vertical || horizontal) == Self.attribute(p, .hasStripedBackground), "steps \(alongX), \(alongY)")
            #expect(vertical == Self.attribute(p, .hasVerticalStripes))
            if !vertical && !horizontal { #expect(alongX == 0 && alongY == 0) }
            let mean = background[0..<Self.plane].reduce(0, +) / Float(Self.plane)
            #expect((mean >= 0.45) == Self.attribute(p, .isBrightBackground), "background mean \(mean)")
            #expect((0..<Self.plane).allSatisfy { background[$0] == background[Self.plane + $0] && background[$0] == background[2 * Self.plane + $0] },
                    "the background is grey")

            // Noise: robust standard deviation (median absolute residual / 0.6745) of unclamped pixels.
            let clean = Self.render(p, noise: false), noisy = Self.render(p)
            var residuals: [Float] = []
            for k in clean.indices where clean[k] > 0.1 && clean[k] < 0.9 { residuals.append(abs(noisy[k] - clean[k])) }
            #expect(residuals.count > 500)
            residuals.sort()
            let sigma = residuals[residuals.count / 2] / 0.6745
            #expect((sigma > 0.05) == Self.attribute(p, .isNoisy), "noise sd \(sigma)")
            #expect(sigma > 0.012 && sigma < 0.12)
        }
    }
}
