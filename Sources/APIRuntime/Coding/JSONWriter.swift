import Foundation
import JSONEscaping

/// A value that writes itself as JSON text directly, without going through `Encoder`. Generated types conform
/// with their keys in sorted order, so the bytes are those `JSONCoding.encoder` writes, at a fraction of its cost.
public protocol JSONWritable {
    func writeJSON(to writer: inout JSONWriter)
}

/// Compact JSON text, built as UTF-8 bytes: strings escaped as `JSONEncoder` escapes them (without escaping
/// slashes), dates in `JSONCoding.formatDate`'s form.
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []
    /// Whether the object or array being written still has no member (no comma before the next one).
    private var first = true

    public init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    /// Writes an object: `members` writes its members with `member(_:_:)`.
    public mutating func object(_ members: (inout JSONWriter) -> Void) {
        bytes.append(UInt8(ascii: "{"))
        let outer = first
        first = true
        members(&self)
        first = outer
        bytes.append(UInt8(ascii: "}"))
    }

    /// One member of the current object; the caller writes members in sorted key order.
    public mutating func member(_ key: StaticString, _ value: some JSONWritable) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        value.writeJSON(to: &self)
    }

    /// A member that is left out when nil (`encodeIfPresent`).
    public mutating func member(ifPresent key: StaticString, _ value: (some JSONWritable)?) {
        if let value { member(key, value) }
    }

    public mutating func array<Element: JSONWritable>(_ elements: [Element]) {
        bytes.append(UInt8(ascii: "["))
        let outer = first
        first = true
        for element in elements {
            separate()
            element.writeJSON(to: &self)
        }
        first = outer
        bytes.append(UInt8(ascii: "]"))
    }

    public mutating func null() {
        bytes.append(contentsOf: "null".utf8)
    }

    public mutating func raw(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    public mutating func string(_ text: String) {
        JSONEscaping.appendQuoted(text, to: &bytes)
    }

    private mutating func separate() {
        if first {
            first = false
        } else {
            bytes.append(UInt8(ascii: ","))
        }
    }
}

extension String: JSONWritable {
    public func writeJSON(to writer: inout JSONWriter) { writer.string(self) }
}

extension Int: JSONWritable {
    public func writeJSON(to writer: inout JSONWriter) { writer.raw(String(self)) }
}

extension Int64: JSONWritable {
    public func writeJSON(to writer: inout JSONWriter) { writer.raw(String(self)) }
}

extension Bool: JSONWritable {
    public func writeJSON(to writer: inout JSONWriter) { writer.raw(self ? "true" : "false") }
}

extension Date: JSONWritable {
    public func writeJSON(to writer: inout JSONWriter) { writer.string(JSONCoding.formatDate(self)) }
}

extension Array: JSONWritable where Element: JSONWritable {
    public func writeJSON(to writer: inout JSONWriter) { writer.array(self) }
}

extension Optional: JSONWritable where Wrapped: JSONWritable {
    /// nil is written as `null` (a required nullable member); optional members use `member(ifPresent:_:)`.
    public func writeJSON(to writer: inout JSONWriter) {
        if let self { self.writeJSON(to: &writer) } else { writer.null() }
    }
}

extension RawRepresentable where Self: JSONWritable, RawValue == String {
    public func writeJSON(to writer: inout JSONWriter) { writer.string(rawValue) }
}

extension Double: JSONWritable {
    /// Whole numbers without a fraction, others in Swift's shortest round-trip form, as `JSONEncoder` writes them.
    public func writeJSON(to writer: inout JSONWriter) {
        if rounded() == self, abs(self) < 9_007_199_254_740_992 {
            writer.raw(String(Int64(self)))
        } else {
            writer.raw(description)
        }
    }
}
