import ChatEngine
import ChatProtocol
import Foundation
import Hummingbird
import NIOCore

/// Shared files through the face: uploads streamed into the journal's blob
/// area (never held whole in memory), downloads checked against the SHA-256
/// their event names before a byte is sent.
extension WebFace {
    /// `POST /api/rooms/{id}/files?name=NAME[&caption=TEXT][&mimetype=TYPE][&reply_to=REF]`,
    /// the file's bytes as the body.
    func upload(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let roomID = context.parameters.get("room") ?? ""
        guard let session = await rooms.session(roomID) else { return Responses.error(.noRoom(roomID)) }
        let query = request.uri.queryParameters
        guard let name = query.get("name"), !name.isEmpty else {
            return Responses.error(FaceError(.badRequest, "an upload needs ?name=FILENAME", code: "bad_request"))
        }
        let writer: BlobWriter
        do {
            writer = try session.beginFile(name: name)
        } catch {
            return Responses.error(FaceError(error))
        }
        do {
            for try await buffer in request.body {
                try buffer.withUnsafeReadableBytes { bytes in try writer.append(bytes) }
            }
        } catch let error as EngineError {
            writer.cancel()
            return Responses.error(FaceError(error))
        } catch {
            writer.cancel()
            return Responses.error(FaceError(.badRequest, "the upload of \(TimelineLine.escape(name)) was cut off: \(error)", code: "upload_cut"))
        }
        do {
            let blob = try writer.finish()
            let event = try await session.shareBlob(blob, name: name, mimetype: query.get("mimetype").flatMap { $0.isEmpty ? nil : $0 },
                                                    caption: query.get("caption"), replyTo: query.get("reply_to").flatMap { $0.isEmpty ? nil : $0 })
            await rooms.showPending([event], in: roomID)
            let ref = JSONValue.string(EventReference.short(event.eventID))
            return Responses.json(.object(JSONObject([("ref", ref), ("refs", .array([ref])), ("size", .int(blob.size)),
                                                      ("sha256", .string(blob.sha256))])))
        } catch {
            return Responses.error(FaceError(error))
        }
    }

    /// `GET /api/rooms/{id}/files/{ref}`: the file's bytes once they match the
    /// event's hash and size, always as a download (`attachment`,
    /// `application/octet-stream`): a shared file never runs as a page of this origin.
    func download(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let roomID = context.parameters.get("room") ?? ""
        let reference = context.parameters.get("ref") ?? ""
        guard let session = await rooms.session(roomID) else { return Responses.error(.noRoom(roomID)) }
        let path: String
        var name = "file"
        do {
            let id = try await session.resolve(reference)
            path = try await session.fetchFile(id)
            if let shared = await session.files().first(where: { $0.eventID == id }) { name = shared.file.name }
        } catch {
            return Responses.error(FaceError(error))
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            return Responses.error(FaceError(.unavailable, "the checked copy of \(TimelineLine.escape(reference)) cannot be read", code: "file_io"))
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        var headers = HTTPFields()
        headers[.contentType] = "application/octet-stream"
        headers[.contentDisposition] = WebFace.attachmentDisposition(name)
        let body = ResponseBody(contentLength: size) { writer in
            defer { try? handle.close() }
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
                try await writer.write(ByteBuffer(bytes: chunk))
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// `attachment` with an ASCII fallback name and the real one percent-encoded (RFC 6266).
    static func attachmentDisposition(_ name: String) -> String {
        let ascii = String(name.unicodeScalars.map { scalar -> Character in
            let v = scalar.value
            return v >= 0x20 && v < 0x7F && scalar != "\"" && scalar != "\\" ? Character(scalar) : "_"
        })
        var encoded = ""
        for byte in name.utf8 {
            let c = Character(Unicode.Scalar(byte))
            if (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || "-._~".contains(c) {
                encoded.append(c)
            } else {
                encoded += String(format: "%%%02X", byte)
            }
        }
        return "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"
    }
}
