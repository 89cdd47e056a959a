import ChatProtocol

// Fuzzes the path every log line takes: strict JSON parsing, canonical
// encoding and event decoding (PROTOCOL.md §2–§3).
//
// Invariants, on any input:
// - nothing crashes;
// - a value that parses has a canonical form that parses back to an equal
//   value and encodes again to the same bytes (the form is a fixed point, so
//   hashes and signatures computed by any reader agree);
// - an event that decodes survives its own line: `lineBytes` decodes to an
//   event with the same canonical (signed) bytes and the same line;
// - `Event(line:)`, which reads lines in canonical form without a full parse,
//   decodes exactly the lines the strict path decodes, to the same event:
//   same signed bytes, line, fields and content.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEventLine(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let parser = JSONParser()
    let read = Event(line: Array(bytes))
    let parsed = try? parser.parse(buffer: bytes)
    let strict = parsed.flatMap { try? Event(json: $0) }
    guard (read == nil) == (strict == nil) else { fatalError("Event(line:) and the strict path disagree on whether this is an event") }
    if let read, let strict {
        guard read.canonicalBytes == strict.canonicalBytes, read.lineBytes == strict.lineBytes, read.eventID == strict.eventID,
              read.signature == strict.signature, read.prevEventHash == strict.prevEventHash, read.json == strict.json,
              "\(read.content)" == "\(strict.content)"
        else { fatalError("Event(line:) reads an event other than the strict path does") }
    }
    guard let value = parsed else { return 0 }

    let canonical = CanonicalJSON.encode(value)
    guard let again = try? parser.parse(canonical) else {
        fatalError("canonical form does not parse: \(String(decoding: canonical, as: UTF8.self))")
    }
    guard again == value else { fatalError("canonical form parses to a different value") }
    guard CanonicalJSON.encode(again) == canonical else { fatalError("canonical form is not a fixed point") }

    guard let event = strict else { return 0 }
    let line = event.lineBytes
    guard line == canonical else { fatalError("an event's line differs from the canonical form of what was read") }
    guard let reread = try? parser.parse(line), let back = try? Event(json: reread) else {
        fatalError("an event's own line does not decode")
    }
    guard back.canonicalBytes == event.canonicalBytes, back.lineBytes == line, back.hash == event.hash else {
        fatalError("an event's signed bytes change when its line is read back")
    }
    return 0
}
