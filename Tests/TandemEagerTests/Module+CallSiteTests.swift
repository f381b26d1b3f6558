import XCTest

@testable import TandemEager

/// `model(x)` records the caller's line for the whole call (nested module calls keep the
/// outermost), and a module that implements `callAsFunction` itself is still the one that runs.
final class ModuleCallSiteTests: XCTestCase {
    /// Records the call site its forward sees.
    private final class Probe: Module {
        var seen: SourceLocation?
        func forward(_ input: Tensor) -> Tensor {
            seen = ModuleCallSite.current
            return input
        }
    }

    /// A module with its own callAsFunction (no forward).
    private final class Custom: Module {
        func callAsFunction(_ input: Tensor) -> Tensor { input * 3 }
    }

    func testTheOutermostCallersLineIsRecordedAndCleared() {
        let probe = Probe()
        let model = Sequential { Linear(2, 2); probe }
        let x = Tensor(shape: [1, 2], scalars: [1, 2])
        let line = #line + 1
        _ = model(x)
        XCTAssertEqual(probe.seen, SourceLocation(file: "TandemEagerTests/Module+CallSiteTests.swift", line: line))
        XCTAssertNil(ModuleCallSite.current, "cleared after the call")
        XCTAssertNil(ModuleCallSite.outermost)
        XCTAssertEqual(probe.nameInCall, "Probe", "outside a call: the type alone")
    }

    func testAModuleWithItsOwnCallAsFunctionStillRuns() {
        let modules: [Module] = [Custom(), Sequential { Custom(); Custom() }]
        let x = Tensor(shape: [2], scalars: [1, 2])
        XCTAssertEqual(modules[0](x).scalars, [3, 6])
        XCTAssertEqual(modules[1](x).scalars, [9, 18])
    }
}
