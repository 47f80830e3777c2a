//! A message that is a command: `/name args`.

/// A message that starts with `/`: the command's name and the rest.
pub struct CommandText<'a> {
    pub name: String,
    pub args: &'a str,
}

impl<'a> CommandText<'a> {
    /// `/name args`, where `name` may carry a Telegram-style `@botname`, which is dropped.
    pub fn parse(text: &'a str) -> Option<CommandText<'a>> {
        let rest = text.trim().strip_prefix('/')?;
        let (word, args) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        let name = word.split('@').next().unwrap_or(word).to_lowercase();
        (!name.is_empty()).then(|| CommandText { name, args: args.trim() })
    }
}

#[cfg(test)]
mod tests {
    use super::CommandText;

    #[test]
    fn parses_commands_with_and_without_arguments() {
        let command = CommandText::parse("/Hello  Alice and Bob ").unwrap();
        assert_eq!((command.name.as_str(), command.args), ("hello", "Alice and Bob"));
        let command = CommandText::parse("/mood@dcmaid_bot").unwrap();
        assert_eq!((command.name.as_str(), command.args), ("mood", ""));
        assert!(CommandText::parse("hello /there").is_none());
        assert!(CommandText::parse("/").is_none());
        assert!(CommandText::parse("/ hello").is_none());
    }
}
