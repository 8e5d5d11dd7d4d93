import Foundation

/// The extent, tick positions and tick labels of one axis.
///
/// Linear axes use "nice" steps of 1, 2 or 5 × 10^k (data in [0, 0.93] gets ticks
/// 0, 0.2, …, 1). Log axes put labelled major ticks on decades (10, 100, 1000) and minor ticks
/// at 2…9 × 10^k; with many decades only every n-th decade is labelled. Degenerate inputs
/// (a single value, equal bounds, non-finite bounds) still give a finite, non-empty domain.
public struct AxisTicks: Sendable, Equatable {
    /// The scale the ticks were made for.
    public var scale: AxisScale
    /// The axis extent in data units; always finite with `lowerBound < upperBound`
    /// (and `lowerBound > 0` on a log axis).
    public var domain: ClosedRange<Double>
    /// Labelled tick positions in data units, ascending, all inside `domain`.
    public var major: [Double]
    /// The label of each major tick.
    public var labels: [String]
    /// Unlabelled tick positions in data units.
    public var minor: [Double]

    /// Ticks for values in `lower...upper` on `scale`. With `expand` the domain grows to the
    /// enclosing ticks (linear) or decades (log); otherwise it is `lower...upper` itself.
    /// `targetCount` is the rough number of labelled ticks wanted.
    public static func make(scale: AxisScale, lower: Double, upper: Double, targetCount: Int = 6,
                            expand: Bool = true) -> AxisTicks {
        switch scale {
        case .linear: return linear(lower: lower, upper: upper, targetCount: targetCount, expand: expand)
        case .log10: return log10(lower: lower, upper: upper, targetCount: targetCount, expand: expand)
        }
    }

    /// Where `value` falls along the axis: 0 at `domain.lowerBound`, 1 at the upper bound
    /// (outside 0...1 for values beyond the domain); `nil` if the scale cannot show it.
    public func fraction(of value: Double) -> Double? {
        guard let t = scale.transform(value), let t0 = scale.transform(domain.lowerBound),
              let t1 = scale.transform(domain.upperBound), t1 > t0 else { return nil }
        return (t - t0) / (t1 - t0)
    }

    // MARK: - Linear

    static func linear(lower: Double, upper: Double, targetCount: Int, expand: Bool) -> AxisTicks {
        var lo = lower, hi = upper
        if !lo.isFinite || !hi.isFinite { (lo, hi) = (0, 1) }
        if lo > hi { swap(&lo, &hi) }
        let magnitude = max(abs(lo), abs(hi))
        if hi - lo <= magnitude * 1e-12 {
            if magnitude == 0 { (lo, hi) = (-1, 1) } else { (lo, hi) = (lo - magnitude * 0.1, hi + magnitude * 0.1) }
        }
        var step = niceStep(span: hi - lo, targetCount: max(targetCount, 1))
        if expand {
            // Prefer a finer step when expanding to the coarse one would leave over a quarter
            // of the axis empty (e.g. data in ±1.08 gets ±1.5 rather than ±2).
            func coverage(_ step: Double) -> Double {
                (hi - lo) / (Foundation.ceil(hi / step - 1e-9) * step - Foundation.floor(lo / step + 1e-9) * step)
            }
            for extra in 1...2 where coverage(step) < 0.75 {
                let finer = niceStep(span: hi - lo, targetCount: max(targetCount, 1) + extra)
                if finer < step, coverage(finer) > coverage(step) { step = finer }
            }
            lo = Foundation.floor(lo / step + 1e-9) * step
            hi = Foundation.ceil(hi / step - 1e-9) * step
        }
        let first = Foundation.ceil(lo / step - 1e-9), last = Foundation.floor(hi / step + 1e-9)
        var major: [Double] = []
        var k = first
        while k <= last, major.count < 1000 {
            let value = k * step
            major.append(abs(value) < step * 1e-9 ? 0 : value)
            k += 1
        }
        let labels = linearLabels(major, step: step)
        return AxisTicks(scale: .linear, domain: lo...hi, major: major, labels: labels, minor: [])
    }

    /// The 1-2-5 × 10^k step giving about `targetCount` intervals over `span`.
    static func niceStep(span: Double, targetCount: Int) -> Double {
        let raw = span / Double(targetCount)
        let magnitude = Foundation.pow(10, Foundation.floor(Foundation.log10(raw)))
        let fraction = raw / magnitude
        let nice: Double = fraction <= 1 + 1e-9 ? 1 : fraction <= 2 + 1e-9 ? 2 : fraction <= 5 + 1e-9 ? 5 : 10
        return nice * magnitude
    }

    static func linearLabels(_ values: [Double], step: Double) -> [String] {
        let largest = values.map(abs).max() ?? 0
        let stepExponent = Int(Foundation.floor(Foundation.log10(step) + 1e-9))
        let scientific = largest >= 1e6 || (step < 1e-4 && largest > 0)
        return values.map { value in
            if value == 0 { return "0" }
            if scientific {
                let exponent = Int(Foundation.floor(Foundation.log10(abs(value)) + 1e-9))
                let mantissa = value / Foundation.pow(10, Double(exponent))
                return "\(fixed(mantissa, decimals: min(max(exponent - stepExponent, 0), 6)))e\(exponent)"
            }
            return fixed(value, decimals: max(0, -stepExponent))
        }
    }

    /// `value` with exactly `decimals` decimals, never `-0`.
    static func fixed(_ value: Double, decimals: Int) -> String {
        var text = String(format: "%.\(decimals)f", value)
        if text.hasPrefix("-"), text.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) { text.removeFirst() }
        return text
    }

    // MARK: - Log

    static func log10(lower: Double, upper: Double, targetCount: Int, expand: Bool) -> AxisTicks {
        var lo = lower, hi = upper
        if !(lo.isFinite && lo > 0) || !(hi.isFinite && hi > 0) { (lo, hi) = (1, 10) }
        if lo > hi { swap(&lo, &hi) }
        var kLo = Foundation.log10(lo), kHi = Foundation.log10(hi)
        if kHi - kLo < 1e-9 {
            (kLo, kHi) = (Foundation.floor(kLo + 1e-9) - 1, Foundation.ceil(kHi - 1e-9) + 1)
        } else if expand {
            (kLo, kHi) = (Foundation.floor(kLo + 1e-9), Foundation.ceil(kHi - 1e-9))
        }
        kLo = max(kLo, -300)
        kHi = min(max(kHi, kLo + 1e-6), 300)
        let domain = Foundation.pow(10, kLo)...Foundation.pow(10, kHi)
        let firstDecade = Int(Foundation.ceil(kLo - 1e-9)), lastDecade = Int(Foundation.floor(kHi + 1e-9))
        let decades = lastDecade >= firstDecade ? Array(firstDecade...lastDecade) : []
        let stride = max(1, Int(Foundation.ceil(Double(max(decades.count - 1, 1)) / Double(max(targetCount, 1)))))
        let labelled = decades.filter { $0 % stride == 0 }
        func inside(_ v: Double) -> Bool { v >= domain.lowerBound * (1 - 1e-9) && v <= domain.upperBound * (1 + 1e-9) }

        if labelled.count >= 2 {
            var minor: [Double] = []
            if stride == 1, decades.count <= 10 {
                for k in (firstDecade - 1)...lastDecade {
                    for m in 2...9 {
                        let v = Double(m) * Foundation.pow(10, Double(k))
                        if inside(v) { minor.append(v) }
                    }
                }
            } else {
                minor = decades.filter { $0 % stride != 0 }.map { Foundation.pow(10, Double($0)) }
            }
            return AxisTicks(scale: .log10, domain: domain, major: labelled.map { Foundation.pow(10, Double($0)) },
                             labels: labelled.map { logLabel(mantissa: 1, exponent: $0) }, minor: minor)
        }
        // Less than two decades inside (narrow explicit limits): label 1, 2 and 5 × 10^k.
        var major: [Double] = [], labels: [String] = [], minor: [Double] = []
        for k in (firstDecade - 1)...(lastDecade + 1) {
            for m in 1...9 {
                let v = Double(m) * Foundation.pow(10, Double(k))
                guard inside(v) else { continue }
                if m == 1 || m == 2 || m == 5 {
                    major.append(v)
                    labels.append(logLabel(mantissa: m, exponent: k))
                } else {
                    minor.append(v)
                }
            }
        }
        if major.count < 2 {
            // Narrower than a 1-2-5 step: fall back to linear ticks within the domain.
            let linearTicks = linear(lower: domain.lowerBound, upper: domain.upperBound, targetCount: targetCount, expand: false)
            let positive = zip(linearTicks.major, linearTicks.labels).filter { $0.0 > 0 }
            major = positive.map(\.0)
            labels = positive.map(\.1)
            minor = []
        }
        return AxisTicks(scale: .log10, domain: domain, major: major, labels: labels, minor: minor)
    }

    /// `m × 10^k` as plain decimals for 0.001 ... 10000, otherwise as `me k` (`1e5`, `2e-4`).
    static func logLabel(mantissa: Int, exponent: Int) -> String {
        if exponent >= 0, exponent <= 4 {
            return String(mantissa) + String(repeating: "0", count: exponent)
        }
        if exponent < 0, exponent >= -3 {
            return "0." + String(repeating: "0", count: -exponent - 1) + String(mantissa)
        }
        return "\(mantissa)e\(exponent)"
    }
}
