import Foundation
import Testing

/// Scratch files for tests that run the `pacnet` binary (through `ProcessTests.run`).
struct Scratch {
    let directory: String

    /// Runs `body` with a fresh empty directory, removed afterwards.
    static func with<R>(_ body: (Scratch) throws -> R) throws -> R {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pacnet-cli-test-" + UUID().uuidString).path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try body(Scratch(directory: path))
    }

    func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }

    @discardableResult
    func write(_ name: String, _ contents: Data) throws -> String {
        try contents.write(to: URL(fileURLWithPath: path(name)))
        return path(name)
    }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String { try write(name, Data(text.utf8)) }

    /// Every name in the directory, hidden files included (so stray temporaries show up).
    func listing() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: directory).sorted() }

    func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: path(name)) }
}

/// A small smooth regression CSV: `x1..x<features>` in [-1, 1] and
/// `y = offset + scale * (x1 - 0.5 x2 + 0.3 sin(3 x3))`, deterministic.
func regressionCSV(rows: Int, features: Int = 3, phase: Double = 0, offset: Double = 0, scale: Double = 1) -> String {
    var lines = [((1...features).map { "x\($0)" } + ["y"]).joined(separator: ",")]
    for row in 0..<rows {
        let x = (0..<features).map { sin(Double(row) * (1.3 + 0.7 * Double($0)) + phase) }
        let y = offset + scale * (x[0] - 0.5 * x[min(1, features - 1)] + 0.3 * sin(3 * x[min(2, features - 1)]))
        lines.append((x + [y]).map { String(format: "%.6f", $0) }.joined(separator: ","))
    }
    return lines.joined(separator: "\n") + "\n"
}

/// The one JSON object a `--json` command prints on stdout.
func jsonSummary(_ output: ProcessTests.Output, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
    try #require(output.status == 0, "stderr: \(output.stderr)", sourceLocation: sourceLocation)
    let lines = output.stdout.split(separator: "\n")
    try #require(lines.count == 1, "one JSON line expected: \(output.stdout)", sourceLocation: sourceLocation)
    let object = try JSONSerialization.jsonObject(with: Data(lines[0].utf8))
    return try #require(object as? [String: Any], "\(lines[0])", sourceLocation: sourceLocation)
}

extension Dictionary where Key == String, Value == Any {
    func number(_ key: String) -> Double? { (self[key] as? NSNumber)?.doubleValue }
    func text(_ key: String) -> String? { self[key] as? String }
}
