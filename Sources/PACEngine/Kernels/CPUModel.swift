import Foundation

/// This machine's processor, from `/proc/cpuinfo` (Linux): the model name plus the vendor,
/// family and model numbers, which identify the CPU when a hypervisor (KVM) hides the name behind
/// a generic "Intel(R) Xeon(R) Processor", and the instruction-set flags (`avx2`, `avx512f`, ...).
/// `pacnet bench` prints it; `SystemBLAS` picks OpenBLAS's kernels from its flags.
public struct CPUModel: Sendable, Equatable {
    public var name: String?
    public var vendor: String?
    public var family: Int?
    public var model: Int?
    /// The `flags` line's instruction-set extensions, as the kernel names them.
    public var flags: Set<String>

    public init(name: String? = nil, vendor: String? = nil, family: Int? = nil, model: Int? = nil, flags: Set<String> = []) {
        (self.name, self.vendor, self.family, self.model, self.flags) = (name, vendor, family, model, flags)
    }

    /// This machine's processor; fields are nil where `/proc/cpuinfo` is missing or lacks them.
    public static let current: CPUModel = {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return CPUModel() }
        return parse(text)
    }()

    /// Reads the first processor's fields from the text of `/proc/cpuinfo`.
    public static func parse(_ text: String) -> CPUModel {
        var cpu = CPUModel()
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.trimmingCharacters(in: .whitespaces).isEmpty && cpu.name != nil { break }
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { continue }
            switch parts[0] {
            case "model name": cpu.name = cpu.name ?? parts[1]
            case "vendor_id": cpu.vendor = cpu.vendor ?? parts[1]
            case "cpu family": cpu.family = cpu.family ?? Int(parts[1])
            case "model": cpu.model = cpu.model ?? Int(parts[1])
            case "flags" where cpu.flags.isEmpty: cpu.flags = Set(parts[1].split(separator: " ").map(String.init))
            default: break
            }
        }
        return cpu
    }

    /// "Intel(R) Xeon(R) Processor (GenuineIntel family 6 model 207)", or "unknown".
    public var description: String {
        let numbers = [vendor, family.map { "family \($0)" }, model.map { "model \($0)" }].compactMap { $0 }.joined(separator: " ")
        switch (name, numbers.isEmpty) {
        case (nil, true): return "unknown"
        case (nil, false): return numbers
        case (let name?, true): return name
        case (let name?, false): return "\(name) (\(numbers))"
        }
    }
}
