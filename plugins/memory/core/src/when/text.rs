//! A question as the time finder reads it: folded to lower case character by character,
//! remembering which characters were capitals, with its numbers, and terms found in it as
//! whole words.

/// How much of a question is read: a question names its time in its first sentences, and
/// the work grows with the length (every term is looked for, every number tried), so a
/// message of a hundred thousand "May 1"s costs no more than one of a thousand characters.
pub const READ_CHARS: usize = 1_000;

/// A question, folded.
pub struct Text {
    chars: Vec<char>,
    capital: Vec<bool>,
    folded: String,
}

/// A run of ASCII digits: where it is and what it says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Number {
    pub start: usize,
    pub end: usize,
    pub value: u32,
    pub digits: usize,
}

impl Text {
    pub fn new(question: &str) -> Text {
        let mut chars = Vec::with_capacity(question.len());
        let mut capital = Vec::with_capacity(question.len());
        for c in question.chars().take(READ_CHARS) {
            let c = match c {
                '\u{2019}' => '\'',
                '\u{a0}' | '\u{202f}' => ' ',
                c => c,
            };
            for lower in c.to_lowercase() {
                chars.push(lower);
                capital.push(c.is_uppercase());
            }
        }
        let folded = chars.iter().collect();
        Text { chars, capital, folded }
    }

    /// Whether the character at `at` was written as a capital.
    pub fn is_capital(&self, at: usize) -> bool {
        self.capital.get(at).copied().unwrap_or(false)
    }

    /// Whether nothing but spaces and punctuation comes before `at`.
    pub fn starts_at(&self, at: usize) -> bool {
        !self.chars[..at.min(self.chars.len())].iter().any(|c| c.is_alphanumeric())
    }

    /// Where `term` (folded) stands in the text as a whole word, as character ranges.
    pub fn find(&self, term: &str) -> Vec<(usize, usize)> {
        if term.is_empty() || !self.folded.contains(term) {
            return Vec::new();
        }
        let term: Vec<char> = term.chars().collect();
        let mut found = Vec::new();
        let mut at = 0;
        while at + term.len() <= self.chars.len() {
            let end = at + term.len();
            if self.chars[at..end] == term[..] && self.whole(at, end) {
                found.push((at, end));
                at = end;
            } else {
                at += 1;
            }
        }
        found
    }

    /// Whether `term` (folded) stands at `at` and ends a word there; where it ends.
    pub fn starts_with_at(&self, at: usize, term: &str) -> Option<usize> {
        let term: Vec<char> = term.chars().collect();
        let end = at.checked_add(term.len())?;
        (*self.chars.get(at..end)? == term[..] && self.whole_end(end)).then_some(end)
    }

    /// Whether `term` (folded) stands right before `end` and begins a word there; where it
    /// starts.
    pub fn ends_with_at(&self, end: usize, term: &str) -> Option<usize> {
        let term: Vec<char> = term.chars().collect();
        let start = end.checked_sub(term.len())?;
        (*self.chars.get(start..end)? == term[..] && self.whole_start(start)).then_some(start)
    }

    /// The runs of digits, in order.
    pub fn numbers(&self) -> Vec<Number> {
        let mut numbers = Vec::new();
        let mut at = 0;
        while at < self.chars.len() {
            if !self.chars[at].is_ascii_digit() {
                at += 1;
                continue;
            }
            let start = at;
            while at < self.chars.len() && self.chars[at].is_ascii_digit() {
                at += 1;
            }
            let value =
                self.chars[start..at].iter().collect::<String>().parse().unwrap_or(u32::MAX);
            numbers.push(Number { start, end: at, value, digits: at - start });
        }
        numbers
    }

    /// The characters between `from` and `to`, if they could join a day, a month and a year
    /// into one date: a few characters without a digit ("8th of May", "May 8, 2023",
    /// "8. Mai", "2023年5月").
    pub fn joins(&self, from: usize, to: usize) -> bool {
        from <= to && to - from <= 6 && !self.chars[from..to].iter().any(char::is_ascii_digit)
    }

    /// The character at `at`, if there is one.
    pub fn at(&self, at: usize) -> Option<char> {
        self.chars.get(at).copied()
    }

    fn whole(&self, start: usize, end: usize) -> bool {
        self.whole_start(start) && self.whole_end(end)
    }

    fn whole_start(&self, start: usize) -> bool {
        match (start.checked_sub(1).and_then(|before| self.at(before)), self.at(start)) {
            (Some(before), Some(first)) => !continues(first, before),
            _ => true,
        }
    }

    fn whole_end(&self, end: usize) -> bool {
        match (end.checked_sub(1).and_then(|last| self.at(last)), self.at(end)) {
            (Some(last), Some(after)) => !continues(last, after),
            _ => true,
        }
    }
}

/// Whether `neighbour` next to a term's `edge` character makes them one word: digits run
/// into digits, and letters of scripts that put spaces between words into letters and digits.
/// Chinese, Japanese and Korean characters need no boundary: those scripts write no spaces
/// (Korean puts its particles right after the word: "5월에").
fn continues(edge: char, neighbour: char) -> bool {
    if edge.is_ascii_digit() {
        return neighbour.is_ascii_digit();
    }
    spaced(edge) && neighbour.is_alphanumeric() && !unspaced(neighbour)
}

fn spaced(c: char) -> bool {
    c.is_alphabetic() && !unspaced(c)
}

/// Han, kana and Hangul.
pub fn unspaced(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_found_as_whole_words_except_in_scripts_without_spaces() {
        let text = Text::new("Maybe in May, or in mayo? 15月 or 5月に");
        assert_eq!(text.find("may"), [(9, 12)]);
        assert!(text.is_capital(9) && !text.is_capital(20));
        assert_eq!(text.find("5月").len(), 1, "not inside 15月");
        assert_eq!(Text::new("ABC Straße").find("straße"), [(4, 10)]);
        assert_eq!(Text::new("aujourd’hui").find("aujourd'hui"), [(0, 11)]);
        let numbers = Text::new("on 8. Mai 2023").numbers();
        assert_eq!(
            numbers.iter().map(|n| (n.value, n.digits)).collect::<Vec<_>>(),
            [(8, 1), (2023, 4)]
        );
    }
}
