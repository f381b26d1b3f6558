import XCTest
@testable import TandemTrace
