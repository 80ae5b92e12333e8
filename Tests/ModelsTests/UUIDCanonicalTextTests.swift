import Foundation
import LoadGeneration
import Testing
import UUIDText

/// The hand-written UUID text against Foundation's.
@Suite struct UUIDCanonicalTextTests {
    @Test func writesWhatFoundationWritesAndReadsItBack() {
        for _ in 0..<2_000 {
            let id = UUID()
            #expect(id.canonicalText == id.uuidString.lowercased())
            #expect(UUID(canonicalText: id.canonicalText) == id)
            #expect(UUID(canonicalText: id.uuidString) == id)  // upper case
            #expect(UUID(canonicalText: Array(id.canonicalText.utf8)) == id)
        }
        let zero = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        #expect(zero.canonicalText == "00000000-0000-0000-0000-000000000000")
    }

    /// Seeded damaged texts: accepted exactly when canonical, and then with Foundation's value.
    /// (Foundation on Linux reads with `sscanf`, so it also takes some damaged texts, with spaces,
    /// "0x" or hyphens out of place; the canonical reader does not.)
    @Test func acceptsOnlyCanonicalText() {
        var random = SeededGenerator(seed: 9_562)
        let replacements: [String] = ["g", "G", "-", " ", "x", "é", "0", "F", "{", "/", ":", "@", "`"]
        var rejected = 0
        for _ in 0..<3_000 {
            var text = Array(UUID().uuidString)
            switch random.below(4) {
            case 0: text.remove(at: random.below(text.count))
            case 1: text.insert(Character(replacements[random.below(replacements.count)]), at: random.below(text.count + 1))
            default: text[random.below(text.count)] = Character(replacements[random.below(replacements.count)])
            }
            let damaged = String(text)
            let parsed = UUID(canonicalText: damaged)
            #expect((parsed != nil) == Self.isCanonical(damaged), "\(damaged)")
            if let parsed { #expect(parsed == UUID(uuidString: damaged), "\(damaged)") } else { rejected += 1 }
        }
        #expect(rejected > 1_500)
        for text in ["", "{" + UUID().uuidString + "}", UUID().uuidString.replacingOccurrences(of: "-", with: "")] {
            #expect(UUID(canonicalText: text) == nil)
            #expect(UUID(uuidString: text) == nil)
        }
    }

    /// 36 characters: hexadecimal digits, hyphens at 8, 13, 18 and 23 (RFC 9562 section 4).
    private static func isCanonical(_ text: String) -> Bool {
        let characters = Array(text)
        guard characters.count == 36 else { return false }
        return characters.indices.allSatisfy { index in
            [8, 13, 18, 23].contains(index) ? characters[index] == "-" : characters[index].isHexDigit
        }
    }
}
