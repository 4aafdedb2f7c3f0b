import Foundation

extension JSONCoding {
    /// Decodes a request body's JSON bytes: text that is not JSON is BAD_REQUEST, JSON of the wrong shape is
    /// VALIDATION_FAILED naming the field that is wrong. NUL characters are the schema's concern (every request
    /// string that is stored has the `noNUL` pattern; members the schema does not name are ignored).
    public static func decodeBody<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        do {
            return try decoder.decode(type, from: data)
        } catch let error as DecodingError {
            if error.isMalformedJSON { throw APIError.badRequest("The request body is not valid JSON") }
            throw APIError.validationFailed([error.fieldProblem])
        }
    }
}
