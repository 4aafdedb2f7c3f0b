/// A strict JSON validator that also reports where the elements of a top-level array lie, so an event's arguments
/// can be handed on as their original bytes without building a document tree.
enum JSONScanner {
    struct InvalidJSON: Error {}

    enum ValueKind: Equatable {
        case object, array, string, number, literal
    }

    struct Element: Equatable {
        var kind: ValueKind
        var range: Range<Int>
    }

    enum TopLevel: Equatable {
        case object
        case array([Element])
        case other(ValueKind)

        var isString: Bool { self == .other(.string) }
    }

    /// Validates `text` as one JSON value; for an array, returns each element's kind and byte range.
    static func topLevel(_ text: String) throws -> TopLevel {
        var text = text
        return try text.withUTF8 { try topLevel($0) }
    }

    /// Validates `bytes` as one JSON value; for an array, returns each element's kind and byte range.
    static func topLevel(_ bytes: UnsafeBufferPointer<UInt8>) throws -> TopLevel {
        var scanner = Cursor(bytes: bytes)
        scanner.skipWhitespace()
        let result: TopLevel
        if scanner.peek == UInt8(ascii: "[") {
            result = .array(try scanner.array(collect: true))
        } else {
            let kind = try scanner.value(depth: 0)
            result = kind == .object ? .object : .other(kind)
        }
        scanner.skipWhitespace()
        guard scanner.atEnd else { throw InvalidJSON() }
        return result
    }

    private struct Cursor {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0
        static let maxDepth = 64

        var atEnd: Bool { index >= bytes.count }
        var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipWhitespace() {
            while let byte = peek, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
        }

        mutating func expect(_ byte: UInt8) throws {
            guard peek == byte else { throw InvalidJSON() }
            index += 1
        }

        mutating func value(depth: Int) throws -> ValueKind {
            guard depth < Self.maxDepth, let byte = peek else { throw InvalidJSON() }
            switch byte {
            case UInt8(ascii: "{"):
                try object(depth: depth + 1)
                return .object
            case UInt8(ascii: "["):
                _ = try array(collect: false, depth: depth + 1)
                return .array
            case UInt8(ascii: "\""):
                try string()
                return .string
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            default:
                try number()
                return .number
            }
            return .literal
        }

        mutating func array(collect: Bool, depth: Int = 1) throws -> [Element] {
            try expect(UInt8(ascii: "["))
            var elements: [Element] = []
            skipWhitespace()
            if peek == UInt8(ascii: "]") {
                index += 1
                return elements
            }
            while true {
                skipWhitespace()
                let start = index
                let kind = try value(depth: depth)
                if collect { elements.append(Element(kind: kind, range: start..<index)) }
                skipWhitespace()
                if peek == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                try expect(UInt8(ascii: "]"))
                return elements
            }
        }

        mutating func object(depth: Int) throws {
            try expect(UInt8(ascii: "{"))
            skipWhitespace()
            if peek == UInt8(ascii: "}") {
                index += 1
                return
            }
            while true {
                skipWhitespace()
                try string()
                skipWhitespace()
                try expect(UInt8(ascii: ":"))
                skipWhitespace()
                _ = try value(depth: depth)
                skipWhitespace()
                if peek == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                try expect(UInt8(ascii: "}"))
                return
            }
        }

        mutating func string() throws {
            try expect(UInt8(ascii: "\""))
            while let byte = peek {
                index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return
                case UInt8(ascii: "\\"):
                    guard let escaped = peek else { throw InvalidJSON() }
                    index += 1
                    switch escaped {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                        UInt8(ascii: "f"),
                        UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        break
                    case UInt8(ascii: "u"):
                        for _ in 0..<4 {
                            guard let hex = peek, hex.isHexDigit else { throw InvalidJSON() }
                            index += 1
                        }
                    default:
                        throw InvalidJSON()
                    }
                case 0..<0x20:
                    throw InvalidJSON()
                default:
                    break
                }
            }
            throw InvalidJSON()
        }

        mutating func literal(_ word: String) throws {
            for byte in word.utf8 { try expect(byte) }
        }

        mutating func number() throws {
            if peek == UInt8(ascii: "-") { index += 1 }
            guard let first = peek, first.isDigit else { throw InvalidJSON() }
            if first == UInt8(ascii: "0") {
                index += 1
            } else {
                while let byte = peek, byte.isDigit { index += 1 }
            }
            if peek == UInt8(ascii: ".") {
                index += 1
                guard let byte = peek, byte.isDigit else { throw InvalidJSON() }
                while let byte = peek, byte.isDigit { index += 1 }
            }
            if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
                index += 1
                if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { index += 1 }
                guard let byte = peek, byte.isDigit else { throw InvalidJSON() }
                while let byte = peek, byte.isDigit { index += 1 }
            }
        }
    }
}

extension UInt8 {
    fileprivate var isDigit: Bool { (48...57).contains(self) }
    fileprivate var isHexDigit: Bool { isDigit || (65...70).contains(self) || (97...102).contains(self) }
}
