import Foundation
import PACIO
import Testing

@Suite("Atomic file writes")
struct AtomicFileTests {
    private func contents(_ path: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: path))
    }

    @Test func writesANewFile() throws {
        try withDataScratchDirectory { directory in
            let path = directory + "/model.bin"
            try AtomicFile.write(Data([1, 2, 3]), to: path, overwrite: false)
            #expect(try contents(path) == Data([1, 2, 3]))
            #expect(try dataDirectoryListing(directory) == ["model.bin"])
        }
    }

    @Test func writesText() throws {
        try withDataScratchDirectory { directory in
            let path = directory + "/report.txt"
            try AtomicFile.write("héllo\n", to: path, overwrite: false)
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "héllo\n")
        }
    }

    @Test func writesAnEmptyFile() throws {
        try withDataScratchDirectory { directory in
            let path = directory + "/empty"
            try AtomicFile.write(Data(), to: path, overwrite: false)
            #expect(try contents(path).isEmpty)
        }
    }

    @Test func refusesAnExistingFileWithoutOverwrite() throws {
        try withDataScratchDirectory { directory in
            let path = directory + "/out.npy"
            try AtomicFile.write("original", to: path, overwrite: false)
            let error = caughtDataError { try AtomicFile.write("replacement", to: path, overwrite: false) }
            #expect(error == .outputExists(path: path))
            #expect(error?.description == "\(path): output file exists (use --force to overwrite)")
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "original")
            #expect(try dataDirectoryListing(directory) == ["out.npy"])
        }
    }

    @Test func refusesAnExistingDirectoryWithoutOverwrite() throws {
        try withDataScratchDirectory { directory in
            try FileManager.default.createDirectory(atPath: directory + "/taken", withIntermediateDirectories: false)
            let error = caughtDataError { try AtomicFile.write("x", to: directory + "/taken", overwrite: false) }
            #expect(error == .outputExists(path: directory + "/taken"))
            #expect(try dataDirectoryListing(directory) == ["taken"])
        }
    }

    @Test func overwritesWhenAsked() throws {
        try withDataScratchDirectory { directory in
            let path = directory + "/out.npy"
            try AtomicFile.write("a much longer original text", to: path, overwrite: false)
            try AtomicFile.write("new", to: path, overwrite: true)
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "new")
            #expect(try dataDirectoryListing(directory) == ["out.npy"])
        }
    }

    @Test func overwriteCreatesAMissingFileToo() throws {
        try withDataScratchDirectory { directory in
            try AtomicFile.write("x", to: directory + "/fresh", overwrite: true)
            #expect(try dataDirectoryListing(directory) == ["fresh"])
        }
    }

    @Test func missingDirectoryThrowsAndLeavesNothing() throws {
        try withDataScratchDirectory { directory in
            let path = directory + "/missing/out.bin"
            let error = caughtDataError { try AtomicFile.write(Data([1]), to: path, overwrite: true) }
            #expect(error == .writeFailed(path: path, reason: "No such file or directory"))
            #expect(error?.description == "\(path): cannot write: No such file or directory")
            let listing = try dataDirectoryListing(directory)
            #expect(listing.isEmpty)
        }
    }

    @Test func failedRenameRemovesTheTemporaryFile() throws {
        try withDataScratchDirectory { directory in
            // Renaming a file over a non-empty directory fails after the data was written.
            let target = directory + "/occupied"
            try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
            try AtomicFile.write("inside", to: target + "/keep", overwrite: false)
            let error = caughtDataError { try AtomicFile.write(Data([1, 2]), to: target, overwrite: true) }
            guard case .writeFailed(let path, _)? = error else {
                Issue.record("expected writeFailed, got \(String(describing: error))")
                return
            }
            #expect(path == target)
            #expect(try dataDirectoryListing(directory) == ["occupied"])
            #expect(try dataDirectoryListing(target) == ["keep"])
        }
    }

    @Test func largeWriteRoundTrips() throws {
        try withDataScratchDirectory { directory in
            let path = directory + "/big.bin"
            let data = Data((0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
            try AtomicFile.write(data, to: path, overwrite: false)
            #expect(try contents(path) == data)
        }
    }
}
