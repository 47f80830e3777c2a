//! Which Discord messages are for the bot, and what they say to it. In a DM, everything. In
//! a guild channel, a message that starts by mentioning the bot (the rest is the message),
//! or a command written with the prefix (`!hello Ann` is `/hello Ann`). Anything else in a
//! guild is people talking to each other.

/// What a message asks of the bot, as the pipeline reads it; `None` when it is not for it.
pub fn addressed(text: &str, in_guild: bool, bot_id: Option<u64>, prefix: &str) -> Option<String> {
    let text = text.trim();
    if let Some(bot_id) = bot_id {
        for mention in [format!("<@{bot_id}>"), format!("<@!{bot_id}>")] {
            if let Some(rest) = text.strip_prefix(&mention) {
                return Some(rest.trim().to_owned()).filter(|rest| !rest.is_empty());
            }
        }
    }
    if let Some(command) = text.strip_prefix(prefix)
        && command.starts_with(|c: char| c.is_alphanumeric())
    {
        return Some(format!("/{command}"));
    }
    (!in_guild && !text.is_empty()).then(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dms_are_always_for_the_bot_guild_messages_only_when_addressed() {
        assert_eq!(addressed(" hi there ", false, Some(7), "!").as_deref(), Some("hi there"));
        assert_eq!(addressed("hi there", true, Some(7), "!"), None);
        assert_eq!(addressed("<@7> hi there", true, Some(7), "!").as_deref(), Some("hi there"));
        assert_eq!(addressed("<@!7>  /mood", true, Some(7), "!").as_deref(), Some("/mood"));
        assert_eq!(addressed("<@8> hi", true, Some(7), "!"), None, "someone else's mention");
        assert_eq!(addressed("<@7>", true, Some(7), "!"), None, "a bare mention says nothing");
        assert_eq!(addressed("!hello Ann", true, None, "!").as_deref(), Some("/hello Ann"));
        assert_eq!(addressed("!!!", true, Some(7), "!"), None, "punctuation is not a command");
        assert_eq!(addressed("?hello", true, Some(7), "?").as_deref(), Some("/hello"));
        assert_eq!(addressed("   ", false, Some(7), "!"), None);
    }
}
