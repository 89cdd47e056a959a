import ChatEngine

// Fuzzes the parser of a room's `ctl` file (`ControlCommand.parse`, which
// gives a `RoomAction`), fed the way a write reaches it: the input is split
// at newlines, a trailing CR is dropped, and each line is decoded as UTF-8
// (invalid bytes become U+FFFD).
//
// Invariants beyond "does not crash":
// - a parsed action has a `ctl` line (`ControlCommand.line(of:)`), which
//   parses back to the same action and renders to the same bytes again (the
//   form is a fixed point);
// - its REF or USER is one non-empty word, its text fields are non-empty
//   and trimmed;
// - a refused line gets a reason that says what to write instead.

func isBlank(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\t" || c == "\r" }

func check(_ line: String) {
    switch ControlCommand.parse(line) {
    case .failure(let error):
        guard !error.reason.isEmpty, error.reason.contains("needs") || error.reason.contains("use one of") || error.reason.contains("must be") else {
            fatalError("refusal without guidance: \(error.reason.debugDescription) for \(line.debugDescription)")
        }
    case .success(let command):
        guard let rendered = ControlCommand.line(of: command) else {
            fatalError("\(line.debugDescription) parsed to \(command), which has no ctl line")
        }
        guard case .success(let again) = ControlCommand.parse(rendered) else {
            fatalError("\(line.debugDescription) parsed to \(command), whose line \(rendered.debugDescription) does not parse")
        }
        guard again == command, let renderedAgain = ControlCommand.line(of: again), Array(renderedAgain.utf8) == Array(rendered.utf8) else {
            fatalError("\(line.debugDescription): \(command) renders \(rendered.debugDescription), which parses to \(again)")
        }
        let words: [String]
        let texts: [String?]
        switch command {
        case .react(let ref, let emoji): (words, texts) = ([ref], [emoji])
        case .edit(let ref, let text): (words, texts) = ([ref], [text])
        case .send(let message, let ref?): (words, texts) = ([ref], [message.body])
        case .redact(let ref, let reason): (words, texts) = ([ref], [reason])
        case .invite(let user, let key, _): (words, texts) = ([user] + (key.map { [$0.base64] } ?? []), [])
        case .kick(let user, let reason), .ban(let user, let reason): (words, texts) = ([user], [reason])
        case .join, .leave: (words, texts) = ([], [])
        case .setName(let text), .setTopic(let text): (words, texts) = ([], [text])
        case .send, .addKey, .typing, .shareFile: fatalError("\(line.debugDescription) parsed to \(command), which ctl cannot say")
        }
        for word in words where word.isEmpty || word.unicodeScalars.contains(where: { $0 == " " || $0 == "\t" }) {
            fatalError("\(line.debugDescription): word field \(word.debugDescription) of \(command) is empty or holds a blank")
        }
        for case let text? in texts {
            guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last, !isBlank(first), !isBlank(last) else {
                fatalError("\(line.debugDescription): text field \(text.debugDescription) of \(command) is empty or untrimmed")
            }
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzControl(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    for raw in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
        var line = Array(raw)
        if line.last == 0x0D { line.removeLast() }
        check(String(decoding: line, as: UTF8.self))
    }
    return 0
}
