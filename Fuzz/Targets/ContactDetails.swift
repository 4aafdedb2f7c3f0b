// libFuzzer target: the contact scanner over any text. Every walk it makes is bounded, so it ends quickly (the
// 5 s limit catches one that is not); its findings lie inside the text, are never empty, and come in text order;
// and a text the prescreen clears is one the full scan finds nothing in.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzContactDetails(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let scanner = ContactScanner(allowedDomains: ["example.com"])
    let findings = scanner.scanWhole(text)
    if !ContactPrescreen.mayHoldContactDetails(text), !findings.isEmpty {
        fatalError("the prescreen cleared a text with contact details: \(findings)")
    }
    let scalars = text.unicodeScalars.count
    var previous = 0
    for finding in findings {
        guard finding.scalars.lowerBound >= previous, finding.scalars.upperBound <= scalars,
            !finding.scalars.isEmpty
        else { fatalError("finding \(finding.scalars) out of order or outside a text of \(scalars) scalars") }
        previous = finding.scalars.lowerBound
    }
    return 0
}
