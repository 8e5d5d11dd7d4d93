import Foundation
import Testing

/// The built `pacnet` executable, run as a separate process.
struct ProcessTests {
    struct Output {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// The `pacnet` binary next to the test bundle in the build directory.
    static func executable() throws -> URL {
        var directories = [Bundle.main.bundleURL, URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()]
        // macOS: the tests live in `<build dir>/pacnetPackageTests.xctest`.
        directories += Bundle.allBundles.filter { $0.bundlePath.hasSuffix(".xctest") }.map { $0.bundleURL.deletingLastPathComponent() }
        for directory in directories {
            let candidate = directory.appendingPathComponent("pacnet")
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue,
               FileManager.default.isExecutableFile(atPath: candidate.path) {
                return candidate
            }
        }
        throw BinaryNotFound(searched: directories.map(\.path))
    }

    struct BinaryNotFound: Error, CustomStringConvertible {
        let searched: [String]
        var description: String { "pacnet binary not found in \(searched)" }
    }

    /// Runs `pacnet` with `arguments`, capturing both streams through temporary files (no pipe
    /// buffer can fill up and block the child).
    static func run(_ arguments: [String]) throws -> Output {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pacnet-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outURL = directory.appendingPathComponent("stdout"), errURL = directory.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        let process = Process()
        process.executableURL = try executable()
        process.arguments = arguments
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try out.close()
        try err.close()
        return Output(status: process.terminationStatus,
                      stdout: try String(contentsOf: outURL, encoding: .utf8),
                      stderr: try String(contentsOf: errURL, encoding: .utf8))
    }

    @Test(arguments: [
        ["friedman", "--ratio", "1.5"],
        ["friedman", "--methods", "foo"],
        ["friedman", "--seeds", "0"],
        ["friedman", "--lambda", "-1"],
    ])
    func invalidOptionsFailWithOneErrorLine(arguments: [String]) throws {
        let output = try Self.run(arguments)
        #expect(output.status != 0)
        #expect(output.stdout.isEmpty, "stdout: \(output.stdout)")
        let lines = output.stderr.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 2 && lines[1].isEmpty, "stderr should be one line: \(output.stderr)")
        #expect(output.stderr.hasPrefix("Error:"), "stderr: \(output.stderr)")
    }

    /// Keys of a JSON line in textual order.
    static func keys(_ line: Substring) -> [String] {
        var keys: [String] = []
        var rest = line[...]
        while let open = rest.range(of: "\""), let close = rest[open.upperBound...].range(of: "\""),
              rest[close.upperBound...].hasPrefix(":") || rest[close.upperBound...].hasPrefix(",") || rest[close.upperBound...].hasPrefix("}") {
            let token = String(rest[open.upperBound..<close.lowerBound])
            let isKey = rest[close.upperBound...].hasPrefix(":")
            if isKey { keys.append(token) }
            rest = rest[close.upperBound...]
        }
        return keys
    }

    @Test func tinyRunPrintsDocumentedJSONLines() throws {
        let output = try Self.run(["friedman", "--seeds", "1", "--n-target", "5", "--source-epochs", "1",
                                   "--allocate-epochs", "1", "--target-epochs", "2", "--json", "--quiet"])
        #expect(output.status == 0, "stderr: \(output.stderr)")
        #expect(output.stderr.isEmpty, "--quiet: \(output.stderr)")
        #expect(output.stdout.hasSuffix("\n"))
        let lines = output.stdout.split(separator: "\n")
        try #require(lines.count == 7, "stdout: \(output.stdout)")

        var objects: [[String: Any]] = []
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
            objects.append(object)
            #expect(object["task"] as? String == "friedman")
            #expect((object["seed"] as? NSNumber)?.intValue == 0)
            #expect(((object["seconds"] as? NSNumber)?.doubleValue ?? -1) >= 0)
        }

        let stageKeys = ["task", "seed", "stage", "source_rmse", "seconds"]
        for (index, stage) in ["source", "pruned", "allocated"].enumerated() {
            #expect(Self.keys(lines[index]) == stageKeys, "\(lines[index])")
            #expect(objects[index]["stage"] as? String == stage)
            #expect(objects[index]["source_rmse"] is NSNumber)
        }

        let transferKeys = ["task", "seed", "n_target", "method", "target_rmse", "source_rmse", "seconds"]
        for (offset, method) in ["scratch", "finetune", "l2sp", "pacnet"].enumerated() {
            let index = 3 + offset
            #expect(Self.keys(lines[index]) == transferKeys, "\(lines[index])")
            #expect(objects[index]["method"] as? String == method)
            #expect((objects[index]["n_target"] as? NSNumber)?.intValue == 5)
            #expect(objects[index]["target_rmse"] is NSNumber)
            if method == "scratch" {
                #expect(objects[index]["source_rmse"] is NSNull)
            } else {
                #expect(objects[index]["source_rmse"] is NSNumber)
            }
        }

        // PAC-Net's source model is the allocated network: the same score to the last digit.
        let allocated = (objects[2]["source_rmse"] as? NSNumber)?.doubleValue
        let pacnet = (objects[6]["source_rmse"] as? NSNumber)?.doubleValue
        #expect(allocated != nil && allocated == pacnet)
    }
}
