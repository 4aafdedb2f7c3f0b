// libFuzzer target: the REST request bodies, decoded and validated as the generated routes do. Whatever the
// bytes, decoding ends with a value or an API error (never a crash); a value that validates encodes to JSON that
// decodes, validates and compares equal again.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRESTBodies(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    // The first byte picks the body type; the rest is the body.
    let body = Data(UnsafeBufferPointer(start: data + 1, count: size - 1))
    switch data[0] % 5 {
    case 0: check(CreateMessageRequest.self, body)
    case 1: check(SendMessageRequest.self, body)
    case 2: check(ArchiveRequest.self, body)
    case 3: check(UpsertUserRequest.self, body)
    default: check(UpsertContractRequest.self, body)
    }
    return 0
}

private func check<T: Decodable & JSONWritable & Validatable & Equatable>(_ type: T.Type, _ body: Data) {
    let value: T
    do {
        value = try JSONCoding.decodeBody(type, from: body).validated()
    } catch is APIError {
        return
    } catch {
        fatalError("a body failed with something other than an API error: \(error)")
    }
    do {
        let again = try JSONCoding.decodeBody(type, from: JSONCoding.encode(value)).validated()
        guard again == value else { fatalError("a valid \(type) reads back as another value") }
    } catch {
        fatalError("a valid \(type) does not read back from its encoding: \(error)")
    }
}
