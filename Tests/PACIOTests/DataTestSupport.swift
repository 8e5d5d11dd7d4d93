import Foundation
import PACIO
import Testing

/// The `DataError` that `body` throws, or nil if it returns normally (any other error fails
/// the test). Closures infer untyped `throws`, hence the cast rather than a typed parameter.
func caughtDataError<T>(_ body: () throws -> T, sourceLocation: SourceLocation = #_sourceLocation) -> DataError? {
    do {
        _ = try body()
        return nil
    } catch let error as DataError {
        return error
    } catch {
        Issue.record("expected a DataError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// Runs `body` with a fresh empty directory under the system temporary directory, then
/// removes the directory and everything in it.
func withDataScratchDirectory<R>(_ body: (String) throws -> R) throws -> R {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("pacio-data-" + UUID().uuidString).path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

/// The names in a directory, sorted (hidden files included, so stray temporaries show up).
func dataDirectoryListing(_ path: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: path).sorted()
}
