import APIRuntime
import Generated
import Handlers
import Testing

/// The contact filter over a corpus of the disguises people use to move a deal off the platform, and of ordinary
/// marketplace text that must pass untouched.
@Suite struct ContactFilterTests {
    let filter = ContactFilter(mode: .mask, allowedDomains: ["marketplace.example"])

    /// Each text holds one piece of contact information of the given kind, which the filter must hide whole: the
    /// disguised part (between « and ») is replaced by its marker and the rest of the text is kept.
    static let tricky: [(String, ContactDetailKind)] = [
        // Email addresses
        ("write me at «john.smith@gmail.com» please", .email),
        ("«john dot smith at gmail dot com»", .email),
        ("reach me: «john(at)example(dot)org»", .email),
        ("«john [at] example [dot] org» is best", .email),
        ("«jane_doe+work@company.co.uk»", .email),
        ("«ｊｏｈｎ＠ｇｍａｉｌ．ｃｏｍ»", .email),
        ("«j\u{043E}hn@gm\u{0430}il.com» (Cyrillic o and a)", .email),
        ("«john\u{200B}@\u{200B}gmail.com»", .email),
        ("«john @ gmail . com»", .email),
        ("mail: «j.doe at outlook.com»", .email),
        ("«JOHN.SMITH AT YAHOO DOT COM»", .email),
        ("«jóhn.smíth@gmail.com»", .email),
        // Phone numbers
        ("call me on «555-123-4567» tonight", .phone),
        ("«+1 (555) 123-4567»", .phone),
        ("my whatsapp: «+44 20 7946 0958»", .phone),
        ("«five five five one two three four five six seven»", .phone),
        ("«555 one two three 4567»", .phone),
        ("«0 6 1 2 3 4 5 6 7 8»", .phone),
        ("«\u{0660}\u{0666}\u{0661}\u{0662}\u{0663}\u{0664}\u{0665}\u{0666}\u{0667}\u{0668}» (Arabic-Indic)", .phone),
        ("«５５５-１２３-４５６７»", .phone),
        ("«555.123.4567»", .phone),
        ("text «0612345678» on signal", .phone),
        ("«five-five-five, one-two-three, four-five-six-seven»", .phone),
        ("«(555)123-4567»", .phone),
        ("«+49 1512 3456789»", .phone),
        ("«5\u{200B}5\u{200B}5\u{200B}1\u{200B}2\u{200B}3\u{200B}4\u{200B}5\u{200B}6\u{200B}7»", .phone),
        ("«Five Five Five 123 4567»", .phone),
        // Links
        ("see «https://portfolio.example.net/work?id=1».", .link),
        ("«www.mysite.com»", .link),
        ("visit «mysite dot com» for samples", .link),
        ("find me on «linkedin.com/in/johnsmith»", .link),
        ("«t.me/johnsmith»", .link),
        ("«wa.me/15551234567»", .link),
        ("«http://192.168.1.20:8080/files»", .link),
        ("«mysite(dot)io»", .link),
        ("«hxxps://evil.example.io/x»", .link),
        ("«marketplace.example.evil.com»", .link),
        ("«ｗｗｗ．ｍｙｓｉｔｅ．ｃｏｍ»", .link),
    ]

    /// Ordinary text of a marketplace chat that holds no contact details.
    static let innocent: [String] = [
        "The price is $1,500 for the first milestone and $2,250.50 for the second.",
        "Budget: 12 500 000 UZS in total, 3,000,000 USD for phase two",
        "Deadline is 2024-01-15, review on 15.02.2024 and the final version on 03/01/2025.",
        "I worked there 2019-2023 and 2015 - 2018.",
        "Upgrade to version 2.10.3 and Node.js 20.11.1 please, then v1.2.3.4",
        "Let's meet at 10:30 tomorrow, or at 3 pm.",
        "Our staging server is 192.168.100.200",
        "We use ASP.NET and Node.js with socket.io and Vue.js",
        "Look at it and tell me what you think",
        "The dot com bubble burst in 2000; a dot com company",
        "Invoice 20240115001 was paid, order #123456789 shipped, ISBN 978-3-16-148410-0",
        "Total 1,234,567 words translated",
        "I'm good at design. Done!",
        "Files: logo.ai, brief.pdf, run.sh, index.html, main.py, styles.css",
        "2500000 is too much, 25% upfront",
        "e.g. the report, i.e. the summary, etc.",
        "Working hours 9-17, Mon-Fri, 8 hours a day, 5 days a week",
        "It is 2.5 GB, 1920x1080 px, 60 fps",
        "Please review milestone 2 by 12/05 and milestone 3 by 12/20",
        "My rate is 45 USD per hour; 1,250 EUR per week",
        "Room 1204, floor 12, building 3",
        "Send it to the marketplace at https://marketplace.example/help or docs.marketplace.example",
        "We aim at excellence. Call it done.",
        "Three, two, one, go!",
        "In 2024 we shipped 3 releases: 4.1, 4.2 and 5.0",
        "Score: 10-7, then 21-14",
        "The meeting is at noon. See you then.",
        "Use the @mention to ping Anna, or write @channel; ping @anna.smith about it",
        "½ cup, ¾ done, ⑤ steps",
        "Я отправлю файл завтра, хорошо?",
        "価格は15000円です",
        "Transaction 9876543210 confirmed",
    ]

    @Test(arguments: tricky)
    func hidesEachDisguise(_ example: (String, ContactDetailKind)) throws {
        let (marked, kind) = example
        let text = marked.replacingOccurrences(of: "«", with: "").replacingOccurrences(of: "»", with: "")
        let expected = Self.replacingMarked(marked, with: Self.marker(kind))
        let screened = try filter.screen(text, contractStatus: .active)
        #expect(screened.content == expected)
        #expect(screened.hidden == [kind])
    }

    @Test(arguments: innocent)
    func leavesOrdinaryTextAlone(_ text: String) throws {
        let screened = try filter.screen(text, contractStatus: .active)
        #expect(screened.content == text)
        #expect(screened.hidden.isEmpty)
    }

    @Test func masksEveryPieceAndReportsEachKindOnce() throws {
        let text = "mail a@b.com or c@d.org, call +1 555 123 4567, see example.com"
        let screened = try filter.screen(text, contractStatus: .active)
        #expect(
            screened.content
                == "mail [email hidden] or [email hidden], call [phone hidden], see [link hidden]"
        )
        #expect(screened.hidden == [.email, .phone, .link])
    }

    @Test func blockRefusesWithItsCode() throws {
        let block = ContactFilter(mode: .block)
        let error = #expect(throws: APIError.self) {
            try block.screen("call 555-123-4567", contractStatus: .active)
        }
        #expect(error?.code == .contactDetails)
        #expect(error?.code.status == .unprocessableContent)
        #expect(error?.details.first?.field == "content")
        #expect(try block.screen("no details here", contractStatus: .active).content == "no details here")
    }

    @Test func offAndSharingStatusesLeaveTextAlone() throws {
        let text = "john@gmail.com 555-123-4567"
        #expect(try ContactFilter(mode: .off).screen(text, contractStatus: .active).content == text)
        let sharing = ContactFilter(mode: .block, sharingStatuses: [.active])
        #expect(try sharing.screen(text, contractStatus: .active).hidden.isEmpty)
        let pausedOnly = ContactFilter(mode: .mask, sharingStatuses: [.paused])
        #expect(try pausedOnly.screen(text, contractStatus: .active).hidden == [.email, .phone])
    }

    @Test func aMaskedTextStillFitsTheContentLimit() throws {
        // 1,400 six-character addresses grow past 10,000 characters once each becomes "[email hidden]".
        let text = Array(repeating: "a@b.co", count: 1_400).joined(separator: " ")
        let error = #expect(throws: APIError.self) { try filter.screen(text, contractStatus: .active) }
        #expect(error?.code == .validationFailed)
    }

    @Test func longHostileTextsAreScannedWhole() throws {
        // Long runs of digits, dots and at signs: each is judged once, whole.
        let digits = String(repeating: "1 ", count: 4_000)
        #expect(try filter.screen(digits, contractStatus: .active).hidden.isEmpty)
        let dots = String(repeating: "a.", count: 4_000)
        #expect(try filter.screen(dots, contractStatus: .active).hidden.isEmpty)
        let ats = String(repeating: "a@", count: 4_000)
        #expect(try filter.screen(ats, contractStatus: .active).hidden.isEmpty)
        // Characters that fold into several (`½` is `1⁄2`) may be shared by two findings; masking stays whole.
        let shared = try filter.screen("call ½ 555 123 4567, ½@½.com, ½.com", contractStatus: .active)
        #expect(!shared.content.contains("123") && !shared.content.contains(".com"), "\(shared.content)")
    }

    static func marker(_ kind: ContactDetailKind) -> String {
        switch kind {
        case .email: "[email hidden]"
        case .phone: "[phone hidden]"
        case .link: "[link hidden]"
        }
    }

    /// The text with its «marked» part replaced.
    static func replacingMarked(_ marked: String, with replacement: String) -> String {
        guard let open = marked.firstIndex(of: "«"), let close = marked.firstIndex(of: "»") else { return marked }
        return String(marked[..<open]) + replacement + String(marked[marked.index(after: close)...])
    }
}
