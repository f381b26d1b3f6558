import Foundation
import XCTest

/// Tutorial 07's gradcheck section: it passes Exp and flags BuggyExp at its worst entry, x = 0.9,
/// where the buggy backward says 0.9 and the finite difference gives exp(0.9).
final class Tutorial07GradcheckTests: XCTestCase {
    func testGradcheckPassesExpAndFlagsTheBuggyBackward() throws {
        let out = try TutorialRunner.run("tutorial-07-custom-function")
        out.expectSuccess()
        out.expect("Exp:       gradcheck passed (9 entries")
        let buggy = out.expect(
            matching: #"BuggyExp:  gradcheck FAILED \(3 of 9 entries outside the tolerance; worst: input 0, element 2 \(output 2\): backward gives ([-\d.e]+), finite difference ([-\d.e]+)\)"#)
        if buggy.count == 3, let analytic = Float(buggy[1]), let numeric = Float(buggy[2]) {
            XCTAssertEqual(analytic, 0.9, accuracy: 1e-6)
            XCTAssertEqual(numeric, Foundation.exp(0.9), accuracy: 1e-2)
        }
        out.expect("passed: false")
    }
}
