//! What the user is doing with a message: greeting, praising, insulting, asking... Detected
//! from keywords and phrases, in a fixed order of precedence, so "thanks, you're amazing"
//! counts as praise and "sorry, I'm an idiot" as an apology.

use serde::{Deserialize, Serialize};

/// The kinds of interaction, each with its own mood effect and templates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Greeting,
    #[serde(alias = "farewell")]
    Goodbye,
    Thanks,
    #[serde(alias = "compliment")]
    Praise,
    Teasing,
    Insult,
    Question,
    Apology,
    Affection,
    /// The first message after a long absence.
    #[serde(alias = "long_absence")]
    Return,
    /// Anything else.
    #[serde(alias = "default")]
    Chat,
}

impl Kind {
    pub const ALL: [Kind; 11] = [
        Kind::Greeting,
        Kind::Goodbye,
        Kind::Thanks,
        Kind::Praise,
        Kind::Teasing,
        Kind::Insult,
        Kind::Question,
        Kind::Apology,
        Kind::Affection,
        Kind::Return,
        Kind::Chat,
    ];

    /// What the user did, as the system prompt tells the model.
    pub fn described(self) -> &'static str {
        match self {
            Kind::Greeting => "greeted you",
            Kind::Goodbye => "is saying goodbye",
            Kind::Thanks => "thanked you",
            Kind::Praise => "complimented you",
            Kind::Teasing => "is teasing you",
            Kind::Insult => "was rude to you",
            Kind::Question => "asked you something",
            Kind::Apology => "apologised to you",
            Kind::Affection => "told you they are fond of you",
            Kind::Return => "is back after a long time away",
            Kind::Chat => "is chatting with you",
        }
    }
}

/// Phrases per kind, in order of precedence. A phrase matches whole words.
const PHRASES: &[(Kind, &[&str])] = &[
    (Kind::Apology, &["sorry", "apologize", "apologise", "my bad", "forgive me", "my fault"]),
    (
        Kind::Insult,
        &[
            "stupid", "idiot", "dumb", "hate you", "useless", "shut up", "annoying", "ugly",
            "worst", "trash", "garbage", "you suck", "moron", "pathetic", "go away", "loser",
        ],
    ),
    (
        Kind::Affection,
        &[
            "love you",
            "i love",
            "like you",
            "adore you",
            "hug",
            "hugs",
            "marry me",
            "miss you",
            "missed you",
            "cuddle",
            "kiss",
            "my favorite",
            "my favourite",
            "care about you",
        ],
    ),
    (
        Kind::Praise,
        &[
            "cute",
            "smart",
            "clever",
            "amazing",
            "awesome",
            "great job",
            "good job",
            "well done",
            "beautiful",
            "pretty",
            "brilliant",
            "you're great",
            "you are great",
            "impressive",
            "genius",
            "wonderful",
            "the best",
            "good girl",
            "adorable",
            "kind of you",
        ],
    ),
    (Kind::Thanks, &["thank", "thanks", "thank you", "thx", "ty", "appreciate it", "grateful"]),
    (
        Kind::Teasing,
        &[
            "baka",
            "tsundere",
            "blushing",
            "admit it",
            "you like me",
            "lol",
            "haha",
            "hehe",
            "silly",
            "gotcha",
            "nerd",
            "dork",
            "pouting",
            "teehee",
            "lmao",
            "so red",
        ],
    ),
    (
        Kind::Goodbye,
        &[
            "bye",
            "goodbye",
            "good night",
            "goodnight",
            "see you",
            "see ya",
            "gotta go",
            "farewell",
            "cya",
            "later",
            "night night",
            "talk later",
        ],
    ),
    (
        Kind::Greeting,
        &[
            "hi",
            "hello",
            "hey",
            "good morning",
            "morning",
            "yo",
            "howdy",
            "hiya",
            "greetings",
            "sup",
            "good evening",
            "good afternoon",
            "heya",
            "hallo",
        ],
    ),
];

/// Words that open a question even without a question mark.
const QUESTION_OPENERS: &[&str] = &[
    "what", "why", "how", "when", "where", "who", "which", "can", "could", "would", "will", "do",
    "does", "did", "is", "are", "should", "may",
];

/// The kind of interaction `text` is.
pub fn detect(text: &str) -> Kind {
    let words = words(text);
    if words.trim().is_empty() {
        return Kind::Chat;
    }
    if text.contains("<3") {
        return Kind::Affection;
    }
    for (kind, phrases) in PHRASES {
        if phrases.iter().any(|phrase| words.contains(&format!(" {phrase} "))) {
            return *kind;
        }
    }
    let first = words.split_whitespace().next().unwrap_or_default();
    if text.trim_end().ends_with('?') || QUESTION_OPENERS.contains(&first) {
        return Kind::Question;
    }
    Kind::Chat
}

/// `text` lowercased, as words separated by single spaces, with a space at each end.
fn words(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push(' ');
    for word in
        text.split(|c: char| !(c.is_alphanumeric() || c == '\'')).filter(|word| !word.is_empty())
    {
        out.extend(word.chars().flat_map(char::to_lowercase));
        out.push(' ');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_is_recognised() {
        let cases = [
            ("Hello there!", Kind::Greeting),
            ("ok bye, see you tomorrow", Kind::Goodbye),
            ("thanks a lot", Kind::Thanks),
            ("You're so cute", Kind::Praise),
            ("haha you're blushing", Kind::Teasing),
            ("you are useless", Kind::Insult),
            ("What's the weather like?", Kind::Question),
            ("how do magnets work", Kind::Question),
            ("Sorry about earlier", Kind::Apology),
            ("I love you <3", Kind::Affection),
            ("I had pasta for lunch", Kind::Chat),
            ("", Kind::Chat),
        ];
        for (text, kind) in cases {
            assert_eq!(detect(text), kind, "{text:?}");
        }
    }

    #[test]
    fn precedence_picks_the_stronger_signal() {
        assert_eq!(detect("Thanks, you're amazing!"), Kind::Praise);
        assert_eq!(detect("sorry, I'm an idiot"), Kind::Apology);
        assert_eq!(detect("you idiot, thanks for nothing"), Kind::Insult);
        assert_eq!(detect("hi, can you help?"), Kind::Greeting);
        // Whole words only: "this" is not "hi", "they" is not "hey".
        assert_eq!(detect("this is what they said"), Kind::Chat);
    }
}
