/// Decodes a string enum and, for an unknown value, names the allowed ones in the error.
public func decodeStringEnum<T: RawRepresentable & CaseIterable>(
    _ type: T.Type = T.self,
    from decoder: any Decoder
) throws -> T where T.RawValue == String {
    let container = try decoder.singleValueContainer()
    let raw = try container.decode(String.self)
    guard let value = T(rawValue: raw) else {
        let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
        throw DecodingError.dataCorruptedError(in: container, debugDescription: "must be one of: \(allowed)")
    }
    return value
}
