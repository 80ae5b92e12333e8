import Models

/// Test shorthand: a date from a literal known to be valid.
func date(_ text: String) -> CivilDate {
    try! CivilDate(parsing: text)
}

/// Test shorthand: a month from a literal known to be valid.
func month(_ text: String) -> YearMonth {
    try! YearMonth(parsing: text)
}

/// Test shorthand: an amount from a literal known to be valid.
func money(_ text: String) -> Money {
    try! Money(parsing: text)
}
