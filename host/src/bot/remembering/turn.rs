//! A turn as the queue keeps it: the message in the host's own JSON form (the WIT record
//! has no serde form of its own), and the reply.

use serde::{Deserialize, Serialize};

use crate::wit::{Message, MessageContext, Platform, User};

const PLATFORMS: [Platform; 4] =
    [Platform::Console, Platform::Web, Platform::Discord, Platform::Telegram];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredMessage {
    id: String,
    user_id: String,
    user_name: String,
    platform: String,
    channel: String,
    text: String,
    received_at_ms: u64,
    direct: bool,
    server_id: Option<String>,
    thread_id: Option<String>,
    reply_to: Option<String>,
    mentions: Vec<String>,
    platform_message_id: Option<String>,
}

impl From<&Message> for StoredMessage {
    fn from(message: &Message) -> StoredMessage {
        let context = &message.context;
        StoredMessage {
            id: message.id.clone(),
            user_id: message.user.id.clone(),
            user_name: message.user.name.clone(),
            platform: message.user.platform.prefix().to_owned(),
            channel: message.channel.clone(),
            text: message.text.clone(),
            received_at_ms: message.received_at_ms,
            direct: context.direct,
            server_id: context.server_id.clone(),
            thread_id: context.thread_id.clone(),
            reply_to: context.reply_to.clone(),
            mentions: context.mentions.clone(),
            platform_message_id: context.platform_message_id.clone(),
        }
    }
}

impl StoredMessage {
    /// The message again; `None` for a platform this host does not know (a newer host's).
    pub fn message(self) -> Option<Message> {
        let platform = PLATFORMS.into_iter().find(|p| p.prefix() == self.platform)?;
        Some(Message {
            id: self.id,
            user: User { id: self.user_id, name: self.user_name, platform },
            channel: self.channel,
            text: self.text,
            received_at_ms: self.received_at_ms,
            context: MessageContext {
                direct: self.direct,
                server_id: self.server_id,
                thread_id: self.thread_id,
                reply_to: self.reply_to,
                mentions: self.mentions,
                platform_message_id: self.platform_message_id,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_comes_back_as_it_went_in() {
        for platform in PLATFORMS {
            let message = Message {
                id: "18f-1".into(),
                user: User { id: "discord:42".into(), name: "Ann".into(), platform },
                channel: "c".into(),
                text: " my dog is Biscuit ".into(),
                received_at_ms: 1_700_000_000_000,
                context: MessageContext {
                    direct: true,
                    server_id: Some("s".into()),
                    thread_id: None,
                    reply_to: Some("r".into()),
                    mentions: vec!["discord:7".into()],
                    platform_message_id: Some("p".into()),
                },
            };
            let stored = StoredMessage::from(&message);
            let json = serde_json::to_value(&stored).unwrap();
            let back: StoredMessage = serde_json::from_value(json).unwrap();
            let again = back.message().expect("a known platform");
            assert_eq!((again.user.platform, StoredMessage::from(&again)), (platform, stored));
        }
    }
}
