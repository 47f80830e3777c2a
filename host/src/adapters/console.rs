//! `dcmaid chat`: talk to the bot in a terminal, or drive it from a script.
//!
//! Interactive, it prompts and prints replies as they are. Piped, it prints exactly one line
//! per input line, so line N of the output answers line N of the input: line breaks inside a
//! reply are written as `\n` and backslashes as `\\`. Blank input lines are skipped.

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWrite, AsyncWriteExt};

use crate::bot::Bot;
use crate::wit::Platform;

/// How replies are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A person at a terminal: a prompt, replies as they are.
    Interactive,
    /// A script: one escaped line per reply.
    Piped,
}

/// Read lines from `input` until it ends, answering each as `user`.
pub async fn chat(
    bot: &Bot,
    user: &str,
    mode: Mode,
    input: impl AsyncBufRead + Unpin,
    mut output: impl AsyncWrite + Unpin,
) -> std::io::Result<()> {
    let mut lines = input.lines();
    loop {
        if mode == Mode::Interactive {
            output.write_all(b"you> ").await?;
            output.flush().await?;
        }
        let Some(line) = lines.next_line().await? else { break };
        let text = line.trim();
        if text.is_empty() {
            continue;
        }
        let message = bot.message(Platform::Console, user, user, user, text);
        let outcome = bot.handle(message).await;
        let printed = match mode {
            Mode::Interactive => format!("bot> {}\n", outcome.reply),
            Mode::Piped => format!("{}\n", escape(&outcome.reply)),
        };
        output.write_all(printed.as_bytes()).await?;
        output.flush().await?;
    }
    if mode == Mode::Interactive {
        output.write_all(b"\n").await?;
    }
    output.flush().await
}

/// One reply on one line: `\` becomes `\\`, a line break `\n`.
fn escape(reply: &str) -> String {
    reply.replace('\\', "\\\\").replace("\r\n", "\\n").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_line_breaks_and_backslashes() {
        assert_eq!(escape("a\nb\\c\r\nd"), "a\\nb\\\\c\\nd");
    }
}
