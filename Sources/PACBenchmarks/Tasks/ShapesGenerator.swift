import PACNet
import Foundation
import PACEngine
import PACNN

/// The procedural images of the `shapes` task: 32x32 RGB, one object on a textured background.
///
/// Each image shows one object — circle, square, equilateral triangle or plus-shaped cross — of
/// a red, green or blue hue (jittered by up to 20 degrees, saturation 0.7-1), dim or bright,
/// small or large, left or right, top or bottom, upright or turned, on a grey background that is
/// plain (with a faint linear gradient) or striped (horizontal or vertical square-wave stripes,
/// period 4.5-8 px, contrast 0.12-0.24), dark or bright, plus low (sd 0.02) or high (sd 0.08)
/// pixel noise. Every shape of "radius" r has the area of a circle of radius r, so `is_large`
/// means the same for all four. Images are `[N, 3, 32, 32]` (NCHW, channels R, G, B) floats in
/// [0, 1]; the 16 attributes (`ShapesAttribute`) are `[N, 16]` floats 0 or 1.
///
/// Geometry: pixel (row i, column j) covers `[j, j+1) x [i, i+1)`; y grows downwards. The object
/// is rendered by testing 2x2 sub-pixel points in the object's rotated frame (so edges are
/// anti-aliased), stripes by 8 sub-samples per pixel along their axis. Noise is approximately
/// Gaussian: an Irwin-Hall sum of four 16-bit uniforms (one 64-bit draw), scaled to unit
/// variance; values are clamped to [0, 1] afterwards.
///
/// Randomness: the stream `shapes/<stream>` of `seed` gives one 64-bit draw per image, which
/// seeds that image's own generator (its parameters, then its noise). So a batch of `k` images
/// is the prefix of any larger batch, and the result does not depend on the thread count.
public struct ShapesGenerator: Sendable {
    public static let imageSize = 32
    public static let channels = 3
    public static let attributeCount = ShapesAttribute.allCases.count
    /// The attribute names in column order (see `ShapesAttribute`).
    public static let attributeNames: [String] = ShapesAttribute.allCases.map(\.name)

    /// The most threads one `generate` call uses (results never depend on it).
    public var maxThreads: Int

    public init(maxThreads: Int = Engine.maxThreads) {
        self.maxThreads = maxThreads
    }

    /// The attribute columns of one side: 0..<8 for the source task, 8..<16 for the target task.
    public static func attributeRange(_ side: TaskSide) -> Range<Int> {
        side == .source ? 0..<8 : 8..<16
    }

    /// The names of one side's attributes.
    public static func attributeNames(_ side: TaskSide) -> [String] {
        Array(attributeNames[attributeRange(side)])
    }

    /// One side's columns (`[N, 8]`) of an `[N, 16]` attribute tensor.
    public static func attributes(_ attributes: Tensor, for side: TaskSide) -> Tensor {
        precondition(attributes.rank == 2 && attributes.shape[1] == attributeCount, "attributes \(attributes.shape), expected [N, \(attributeCount)]")
        return attributes.slice(axis: 1, attributeRange(side))
    }

    /// `count` images `[count, 3, 32, 32]` and their attributes `[count, 16]`, deterministic in
    /// `(seed, stream)` and prefix-stable in `count`.
    public func generate(count: Int, seed: UInt64, stream: String) -> (images: Tensor, attributes: Tensor) {
        let parameters = self.parameters(count: count, seed: seed, stream: stream)
        let size = Self.channels * Self.imageSize * Self.imageSize
        let images = Tensor(shape: [count, Self.channels, Self.imageSize, Self.imageSize]) { out in
            let shared = ShapesOutputPointer(out)
            let workers = count >= 64 ? Swift.max(1, Swift.min(maxThreads, 8)) : 1
            parameters.withUnsafeBufferPointer { all in
                let params = ShapesParameterBuffer(all)
                let render: @Sendable (Int) -> Void = { w in
                    for n in (w * count / workers)..<((w + 1) * count / workers) {
                        Self.render(params.buffer[n], into: shared.pointer + n * size)
                    }
                }
                if workers == 1 { render(0) } else { DispatchQueue.concurrentPerform(iterations: workers, execute: render) }
            }
        }
        let attributes = Tensor(shape: [count, Self.attributeCount]) { out in
            for (n, p) in parameters.enumerated() {
                for (k, value) in p.attributes.enumerated() { out[n * Self.attributeCount + k] = value ? 1 : 0 }
            }
        }
        return (images, attributes)
    }

    /// `count` images with one side's attribute columns as targets.
    public func dataset(count: Int, seed: UInt64, stream: String, side: TaskSide) -> Dataset {
        let (images, attributes) = generate(count: count, seed: seed, stream: stream)
        return Dataset(inputs: images, targets: Self.attributes(attributes, for: side))
    }

    /// The generating parameters of the images `generate` returns for the same arguments.
    func parameters(count: Int, seed: UInt64, stream: String) -> [ShapeParameters] {
        precondition(count >= 0, "negative image count \(count)")
        var master = RandomGenerator(seed: seed, stream: "shapes/\(stream)")
        return (0..<count).map { _ in
            var rng = RandomGenerator(seed: master.next(), stream: "shapes/image")
            return ShapeParameters.sample(&rng)
        }
    }

    // MARK: Rendering

    /// Renders one image (`3 * 32 * 32` floats, channel-major) into `out`. `object: false` leaves
    /// the object out and `noise: false` the noise (for tests).
    static func render(_ p: ShapeParameters, into out: UnsafeMutablePointer<Float>, object: Bool = true, noise: Bool = true) {
        let side = imageSize, plane = side * side
        let half = Float(side) / 2

        // Background: level + linear gradient (plain) or square-wave stripes along one axis.
        var stripeAlongX = [Float](repeating: 0, count: side), stripeAlongY = [Float](repeating: 0, count: side)
        if p.background != .plain {
            let period = p.stripePeriod, phase = p.stripePhase, amplitude = p.stripeContrast / 2
            var profile = [Float](repeating: 0, count: side)
            for t in 0..<side {
                var sum: Float = 0
                for s in 0..<8 {
                    let position = Float(t) + (Float(s) + 0.5) / 8 + phase
                    let within = position - period * (position / period).rounded(.down)
                    sum += within < period / 2 ? amplitude : -amplitude
                }
                profile[t] = sum / 8
            }
            if p.background == .verticalStripes { stripeAlongX = profile } else { stripeAlongY = profile }
        }
        let gx = p.background == .plain ? p.gradientX : 0, gy = p.background == .plain ? p.gradientY : 0
        stripeAlongX.withUnsafeBufferPointer { sx in
            stripeAlongY.withUnsafeBufferPointer { sy in
                for i in 0..<side {
                    let rowBase = p.backgroundLevel + gy * (Float(i) + 0.5 - half) + sy[i]
                    for j in 0..<side {
                        let value = rowBase + gx * (Float(j) + 0.5 - half) + sx[j]
                        let k = i * side + j
                        out[k] = value; out[plane + k] = value; out[2 * plane + k] = value
                    }
                }
            }
        }

        // Object: coverage from 2x2 sub-pixel points in the rotated frame, over its bounding box.
        if object {
            let (red, green, blue) = p.rgb
            let cx = p.centerX, cy = p.centerY
            let angle = p.rotation * Float.pi / 180
            let c = Foundation.cos(angle), s = Foundation.sin(angle)
            let extent = p.extent + 1
            let j0 = Swift.max(0, Int((cx - extent).rounded(.down))), j1 = Swift.min(side - 1, Int((cx + extent).rounded(.up)))
            let i0 = Swift.max(0, Int((cy - extent).rounded(.down))), i1 = Swift.min(side - 1, Int((cy + extent).rounded(.up)))
            let shape = p.shapeGeometry
            if j0 <= j1 && i0 <= i1 {
                for i in i0...i1 {
                    for j in j0...j1 {
                        var hits = 0
                        for sub in 0..<4 {
                            let dx = Float(j) + (sub & 1 == 0 ? 0.25 : 0.75) - cx
                            let dy = Float(i) + (sub < 2 ? 0.25 : 0.75) - cy
                            if shape.contains(u: c * dx + s * dy, v: -s * dx + c * dy) { hits += 1 }
                        }
                        if hits == 0 { continue }
                        let coverage = Float(hits) / 4
                        let k = i * side + j
                        let background = out[k]
                        out[k] = background + coverage * (red - background)
                        out[plane + k] = background + coverage * (green - background)
                        out[2 * plane + k] = background + coverage * (blue - background)
                    }
                }
            }
        }

        // Noise (Irwin-Hall of four 16-bit uniforms, unit variance), then clamp to [0, 1].
        var rng = p.noiseGenerator
        let scale = noise ? p.noiseStandardDeviation * (Float(3).squareRoot() / 65536) : 0
        for k in 0..<(3 * plane) {
            var value = out[k]
            if noise {
                let bits = rng.next()
                let sum = Int64(bits & 0xFFFF) + Int64((bits >> 16) & 0xFFFF) + Int64((bits >> 32) & 0xFFFF) + Int64(bits >> 48)
                value += scale * Float(sum - 131_070)
            }
            out[k] = Swift.min(1, Swift.max(0, value))
        }
    }
}

/// The generating parameters of one `shapes` image (internal: tests read them to check that the
/// attributes are visible in the images).
struct ShapeParameters: Sendable {
    enum Kind: Int, Sendable, CaseIterable { case circle, square, triangle, cross }
    enum Background: Int, Sendable { case plain, horizontalStripes, verticalStripes }

    var kind: Kind
    /// Hue in degrees, within 20 of 0 (red), 120 (green) or 240 (blue); may be negative.
    var hue: Float
    var saturation: Float
    /// HSV value (the largest channel).
    var value: Float
    /// The radius of the circle with the object's area, in pixels.
    var radius: Float
    var centerX: Float
    var centerY: Float
    /// Degrees from upright.
    var rotation: Float
    var background: Background
    /// The background's mean grey level.
    var backgroundLevel: Float
    var stripeContrast: Float
    var stripePeriod: Float
    var stripePhase: Float
    /// Grey-level change per pixel of a plain background.
    var gradientX: Float
    var gradientY: Float
    var noiseStandardDeviation: Float
    /// The image's generator after the parameter draws (its noise comes from here).
    var noiseGenerator: RandomGenerator

    /// Thresholds with gaps around them (see `sample`).
    /// Largest hue offset (degrees) from pure red, green or blue; the families are 80 degrees apart.
    static let hueJitter: Float = 20
    static let smallRadius: ClosedRange<Float> = 4.0...5.5
    static let largeRadius: ClosedRange<Float> = 7.5...9.0
    static let largeThreshold: Float = 6.5
    static let uprightMaximum: Float = 8
    static let rotatedMinimum: Float = 22
    static let rotatedThreshold: Float = 15
    static let brightObjectThreshold: Float = 0.75
    static let brightBackgroundThreshold: Float = 0.45
    static let noisyThreshold: Float = 0.05

    /// Draws one image's parameters (always the same number of draws, in this order).
    static func sample(_ rng: inout RandomGenerator) -> ShapeParameters {
        let kind = Kind(rawValue: rng.integer(below: 4))!
        let family = Float(rng.integer(below: 3))
        let hue = 120 * family + rng.uniform(-hueJitter, hueJitter)
        let saturation = rng.uniform(0.7, 1.0)
        let value = rng.integer(below: 2) == 1 ? rng.uniform(0.85, 1.0) : rng.uniform(0.45, 0.62)
        let radiusRange = rng.integer(below: 2) == 1 ? largeRadius : smallRadius
        let radius = rng.uniform(radiusRange.lowerBound, radiusRange.upperBound)
        func coordinate(_ rng: inout RandomGenerator) -> Float {
            let low = radius + 1
            return rng.integer(below: 2) == 1 ? rng.uniform(low, 14.5) : rng.uniform(17.5, 32 - low)
        }
        let centerX = coordinate(&rng)
        let centerY = coordinate(&rng)
        let turned = rng.integer(below: 2) == 1
        let maximumTurn: Float = kind == .triangle ? 60 : 45
        let turn = rng.uniform(rotatedMinimum, maximumTurn)
        let sign: Float = rng.integer(below: 2) == 1 ? 1 : -1
        let upright = rng.uniform(-uprightMaximum, uprightMaximum)
        let rotation = turned ? sign * turn : upright
        let striped = rng.integer(below: 2) == 1
        let vertical = rng.integer(below: 2) == 1
        let background: Background = striped ? (vertical ? .verticalStripes : .horizontalStripes) : .plain
        let level = rng.integer(below: 2) == 1 ? rng.uniform(0.55, 0.72) : rng.uniform(0.14, 0.32)
        let contrast = rng.uniform(0.12, 0.24)
        let period = rng.uniform(4.5, 8)
        let phase = rng.uniform(0, period)
        let gradient = rng.uniform(0, 0.05) / 16
        let direction = rng.uniform(0, 2 * Float.pi)
        let sigma: Float = rng.integer(below: 2) == 1 ? 0.08 : 0.02
        return ShapeParameters(
            kind: kind, hue: hue, saturation: saturation, value: value, radius: radius,
            centerX: centerX, centerY: centerY, rotation: rotation, background: background,
            backgroundLevel: level, stripeContrast: contrast, stripePeriod: period, stripePhase: phase,
            gradientX: gradient * Foundation.cos(direction), gradientY: gradient * Foundation.sin(direction),
            noiseStandardDeviation: sigma, noiseGenerator: rng)
    }

    /// 0 red, 1 green, 2 blue.
    var colorFamily: Int { Int(((hue + 60) / 120).rounded(.down)) }

    /// Degrees from the nearest upright pose, modulo the shape's symmetry (0 for circles).
    var turnFromUpright: Float {
        let symmetry: Float
        switch kind {
        case .circle: return 0
        case .square, .cross: symmetry = 90
        case .triangle: symmetry = 120
        }
        let reduced = rotation - symmetry * (rotation / symmetry).rounded()
        return abs(reduced)
    }

    /// The 16 attributes in `ShapesAttribute` order.
    var attributes: [Bool] {
        ShapesAttribute.allCases.map { attribute in
            switch attribute {
            case .isCircle: kind == .circle
            case .isSquare: kind == .square
            case .isTriangle: kind == .triangle
            case .isCross: kind == .cross
            case .isRed: colorFamily == 0
            case .isGreen: colorFamily == 1
            case .isBlue: colorFamily == 2
            case .isLarge: radius >= Self.largeThreshold
            case .isLeft: centerX < 16
            case .isTop: centerY < 16
            case .isRotated: turnFromUpright >= Self.rotatedThreshold
            case .hasStripedBackground: background != .plain
            case .isBrightBackground: backgroundLevel >= Self.brightBackgroundThreshold
            case .isBrightObject: value >= Self.brightObjectThreshold
            case .hasVerticalStripes: background == .verticalStripes
            case .isNoisy: noiseStandardDeviation >= Self.noisyThreshold
            }
        }
    }

    /// The object's colour (HSV to RGB).
    var rgb: (Float, Float, Float) {
        var h = hue.truncatingRemainder(dividingBy: 360)
        if h < 0 { h += 360 }
        let sector = h / 60
        let index = Int(sector.rounded(.down)) % 6
        let f = sector - sector.rounded(.down)
        let v = value, p = v * (1 - saturation), q = v * (1 - saturation * f), t = v * (1 - saturation * (1 - f))
        switch index {
        case 0: return (v, t, p)
        case 1: return (q, v, p)
        case 2: return (p, v, t)
        case 3: return (p, q, v)
        case 4: return (t, p, v)
        default: return (v, p, q)
        }
    }

    /// The object's outline in its own frame.
    var shapeGeometry: ShapeGeometry { ShapeGeometry(kind: kind, radius: radius) }

    /// The largest distance from the centre to a point of the object.
    var extent: Float { shapeGeometry.extent }
}

/// One object's outline in its rotated frame (u right, v down, origin at the centre), scaled so
/// that its area is `pi * radius^2`.
struct ShapeGeometry: Sendable {
    let kind: ShapeParameters.Kind
    /// circle: radius^2; square: half side; triangle: inradius (half the circumradius); cross: arm half-length.
    let size: Float
    /// cross: arm half-width.
    let width: Float

    /// Half side of the square whose area is that of a unit circle: sqrt(pi) / 2.
    static let squareScale = Float.pi.squareRoot() / 2
    /// Circumradius of the equilateral triangle of area pi: sqrt(4 pi / (3 sqrt 3)).
    static let triangleScale = (4 * Float.pi / (3 * Float(3).squareRoot())).squareRoot()
    /// Arm half-width over arm half-length of the cross.
    static let crossWidthRatio: Float = 0.3
    /// Arm half-length of the cross of area pi: area = (8 a - 4 a^2) L^2 with a the width ratio.
    static let crossScale = (Float.pi / (8 * crossWidthRatio - 4 * crossWidthRatio * crossWidthRatio)).squareRoot()

    init(kind: ShapeParameters.Kind, radius: Float) {
        self.kind = kind
        switch kind {
        case .circle: size = radius * radius; width = 0
        case .square: size = radius * Self.squareScale; width = 0
        case .triangle: size = radius * Self.triangleScale / 2; width = 0
        case .cross: size = radius * Self.crossScale; width = size * Self.crossWidthRatio
        }
    }

    var extent: Float {
        switch kind {
        case .circle: size.squareRoot()
        case .square: size * Float(2).squareRoot()
        case .triangle: 2 * size
        case .cross: (size * size + width * width).squareRoot()
        }
    }

    /// Whether the point `(u, v)` of the object's frame is inside. Upright triangles point up.
    @inline(__always)
    func contains(u: Float, v: Float) -> Bool {
        switch kind {
        case .circle:
            return u * u + v * v <= size
        case .square:
            return abs(u) <= size && abs(v) <= size
        case .triangle:
            // Edge normals at 90, -30 and 210 degrees (v down); the inradius is `size`.
            let sin60: Float = 0.866_025_4
            return v <= size && sin60 * u - 0.5 * v <= size && -sin60 * u - 0.5 * v <= size
        case .cross:
            let au = abs(u), av = abs(v)
            return (au <= width && av <= size) || (av <= width && au <= size)
        }
    }
}

/// The output buffer, shared by workers writing disjoint images.
private struct ShapesOutputPointer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    init(_ pointer: UnsafeMutablePointer<Float>) { self.pointer = pointer }
}

/// The parameters, read by all workers.
private struct ShapesParameterBuffer: @unchecked Sendable {
    let buffer: UnsafeBufferPointer<ShapeParameters>
    init(_ buffer: UnsafeBufferPointer<ShapeParameters>) { self.buffer = buffer }
}
