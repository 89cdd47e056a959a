import Foundation
import Testing
@testable import ChatProtocol

@Test func errorDescriptionNamesCause() {
    let e = ProtocolError(.io, "cannot read x")
    #expect(e.description == "cannot read x")
}
