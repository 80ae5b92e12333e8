import PDF
import Testing

@Suite struct WinAnsiTests {
    @Test func portugueseLettersMapToTheirCP1252Bytes() {
        #expect(WinAnsi.encode("ção") == [0xE7, 0xE3, 0x6F])
        #expect(WinAnsi.encode("áàâãéêíóôõúç") == [0xE1, 0xE0, 0xE2, 0xE3, 0xE9, 0xEA, 0xED, 0xF3, 0xF4, 0xF5, 0xFA, 0xE7])
        #expect(WinAnsi.encode("ÁÃÇÉÊÍÓÔÕÚ") == [0xC1, 0xC3, 0xC7, 0xC9, 0xCA, 0xCD, 0xD3, 0xD4, 0xD5, 0xDA])
        #expect(WinAnsi.encode("º ª §") == [0xBA, 0x20, 0xAA, 0x20, 0xA7])
    }

    @Test func typographicPunctuationUsesTheCP1252UpperBlock() {
        #expect(WinAnsi.encode("–—“”‘’…€•") == [0x96, 0x97, 0x93, 0x94, 0x91, 0x92, 0x85, 0x80, 0x95])
        #expect(WinAnsi.encode("R$ 1.234,56") == Array("R$ 1.234,56".utf8))
    }

    @Test func charactersOutsideCP1252BecomeQuestionMarks() {
        #expect(WinAnsi.encode("Ω≤😀") == [0x3F, 0x3F, 0x3F])
        #expect(WinAnsi.encode("a\u{0101}b") == [0x61, 0x3F, 0x62])  // ā is not in CP1252
    }

    @Test func decomposedAccentsAreComposedFirst() {
        #expect(WinAnsi.encode("c\u{0327}a\u{0303}o") == [0xE7, 0xE3, 0x6F])
    }

    @Test func tabsBecomeSpacesAndOtherControlsAreDropped() {
        #expect(WinAnsi.encode("a\tb\u{07}c\u{85}") == [0x61, 0x20, 0x62, 0x63])
    }
}

@Suite struct FontMetricsTests {
    @Test func helveticaWidthsMatchAdobeAFM() {
        let font = PDFFont.helvetica(1000)
        #expect(font.width(of: "a") == 556)
        #expect(font.width(of: "i") == 222)
        #expect(font.width(of: "W") == 944)
        #expect(font.width(of: " ") == 278)
        #expect(font.width(of: "@") == 1015)
        #expect(font.width(of: "ç") == 500)
        #expect(font.width(of: "Ã") == 667)
        #expect(font.width(of: "…") == 1000)
        #expect(font.width(of: "€") == 556)
    }

    @Test func helveticaBoldWidthsMatchAdobeAFM() {
        let font = PDFFont.helveticaBold(1000)
        #expect(font.width(of: "a") == 556)
        #expect(font.width(of: "i") == 278)
        #expect(font.width(of: "W") == 944)
        #expect(font.width(of: "@") == 975)
        #expect(font.width(of: "ç") == 556)
        #expect(font.width(of: "õ") == 611)
    }

    @Test func courierIsMonospaced() {
        #expect(PDFFont.courier(10).width(of: "iiii") == 24)
        #expect(PDFFont.courier(10).width(of: "WWWW") == 24)
        #expect(PDFFont.courier(10).width(of: "ção") == 18)
    }

    @Test func widthScalesWithSizeAndAddsUpPerCharacter() {
        // R 722 + $ 556 + space 278 + 1 556 + . 278 + 2 556 + 3 556 + 4 556 + , 278 + 5 556 + 6 556
        #expect(abs(PDFFont.helvetica(10).width(of: "R$ 1.234,56") - 54.48) < 1e-9)
    }
}

@Suite struct TextLayoutTests {
    let font = PDFFont.helvetica(10)

    @Test func wrappedLinesFitAndKeepEveryWord() {
        let text = "Este relatório lista todas as GRUs emitidas para a operadora no âmbito do Ressarcimento ao SUS, com valores atualizados."
        let lines = TextLayout.wrap(text, font: font, maxWidth: 120)
        #expect(lines.count > 3)
        for line in lines { #expect(font.width(of: line) <= 120, "line too wide: \(line)") }
        #expect(lines.joined(separator: " ") == text)
    }

    @Test func greedyWrapFillsEachLineAsFarAsTheNextWordAllows() {
        let lines = TextLayout.wrap("aaa bbb ccc ddd eee", font: font, maxWidth: font.width(of: "aaa bbb c"))
        #expect(lines == ["aaa bbb", "ccc ddd", "eee"])
    }

    @Test func wordsWiderThanTheLineAreSplitBetweenCharacters() {
        let lines = TextLayout.wrap("12345678901234567890", font: font, maxWidth: font.width(of: "12345"))
        #expect(lines == ["12345", "67890", "12345", "67890"])
    }

    @Test func hardNewlinesAndLeadingSpacesAreKept() {
        let lines = TextLayout.wrap("Total:\n  R$ 10,00\n\nfim", font: .courier(8), maxWidth: 500)
        #expect(lines == ["Total:", "  R$ 10,00", "", "fim"])
    }

    @Test func truncationEndsWithAnEllipsisAndFits() {
        let text = "Inscrita em dívida ativa pela Procuradoria Federal"
        let cut = TextLayout.truncate(text, font: font, maxWidth: 80)
        #expect(cut.hasSuffix("…"))
        #expect(font.width(of: cut) <= 80)
        #expect(text.hasPrefix(String(cut.dropLast())))
        #expect(TextLayout.truncate("Paga", font: font, maxWidth: 80) == "Paga")
        #expect(TextLayout.truncate("Paga", font: font, maxWidth: 1) == "")
    }
}
