import PACEngine
import Testing

@Suite("CPUModel")
struct CPUModelTests {
    @Test func parsesTheFirstProcessor() {
        let text = """
        processor\t: 0
        vendor_id\t: GenuineIntel
        cpu family\t: 6
        model\t\t: 207
        model name\t: Intel(R) Xeon(R) Processor
        stepping\t: 2
        flags\t\t: fpu sse2 avx2 fma avx512f

        processor\t: 1
        vendor_id\t: GenuineIntel
        model name\t: Other
        flags\t\t: fpu
        """
        let cpu = CPUModel.parse(text)
        #expect(cpu == CPUModel(name: "Intel(R) Xeon(R) Processor", vendor: "GenuineIntel", family: 6, model: 207,
                                 flags: ["fpu", "sse2", "avx2", "fma", "avx512f"]))
        #expect(cpu.description == "Intel(R) Xeon(R) Processor (GenuineIntel family 6 model 207)")
        #expect(CPUModel.parse("").description == "unknown")
    }
}
