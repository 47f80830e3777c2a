//! Sealed announcements: anyone who can reach Redis can publish on the swap channel, so a
//! replica acts only on a message sealed with the secret the replicas share. The seal is an
//! HMAC-SHA256 over the whole message (its version, the time it was sealed, a random nonce
//! and the announcement), checked in constant time; a message older than [`MAX_AGE`] (or
//! that far in the future), or whose nonce was already seen, is a replay and is refused.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::core::named;

/// How far a message's time may be from this replica's clock: the replicas' clock skew and
/// Redis's delivery time, with room to spare. Nonces are remembered this long, twice over.
pub const MAX_AGE: Duration = Duration::from_secs(30);
/// Nonces remembered at most: past it the oldest are forgotten (and their messages are
/// stale by then unless the channel carries more than this many per minute).
const MAX_REMEMBERED: usize = 100_000;
/// The format of a sealed message; a new format is a new number, never a reinterpretation.
const VERSION: u8 = 1;

/// What goes over the channel.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Sealed {
    v: u8,
    /// When it was sealed, in milliseconds since the Unix epoch.
    at_ms: u64,
    /// 16 random bytes, in hex.
    nonce: String,
    /// The announcement, as JSON text.
    body: String,
    /// HMAC-SHA256 of the four fields above, in hex.
    mac: String,
}

/// Why a message was not acted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rejected {
    /// Not a sealed message of a version this host reads.
    Malformed,
    /// The seal does not match: forged, altered, or sealed with another secret.
    Forged,
    /// Sealed too long ago (or in the future): a captured message played back later.
    Stale,
    /// A nonce already seen: the same message played back at once.
    Replayed,
}

named!(Rejected {
    Malformed => "malformed",
    Forged => "forged",
    Stale => "stale",
    Replayed => "replayed",
});

/// The replicas' shared secret, and the nonces seen lately.
pub struct Seal {
    key: Vec<u8>,
    seen: Mutex<Seen>,
}

#[derive(Default)]
struct Seen {
    nonces: HashMap<String, u64>,
    order: VecDeque<(u64, String)>,
}

impl Seal {
    /// A seal under `secret` (the configuration checks that it is long enough:
    /// [`crate::redis::MIN_SECRET_BYTES`]).
    pub fn new(secret: &str) -> Seal {
        Seal { key: secret.as_bytes().to_vec(), seen: Mutex::default() }
    }

    /// `body`, sealed at `now_ms` with a fresh nonce, as the text to publish.
    pub fn seal(&self, body: &str, now_ms: u64) -> String {
        let mut nonce = [0u8; 16];
        // Without the system's randomness the time alone keeps nonces apart per replica.
        if getrandom::fill(&mut nonce).is_err() {
            nonce[..8].copy_from_slice(&now_ms.to_le_bytes());
        }
        let nonce = hex::encode(nonce);
        let mac = hex::encode(self.mac(VERSION, now_ms, &nonce, body).finalize().into_bytes());
        let sealed = Sealed { v: VERSION, at_ms: now_ms, nonce, body: body.to_owned(), mac };
        serde_json::to_string(&sealed).expect("a sealed message serialises")
    }

    /// The announcement inside `text`, if its seal holds, it is fresh at `now_ms`, and it was
    /// not seen before.
    pub fn open(&self, text: &str, now_ms: u64) -> Result<String, Rejected> {
        let sealed: Sealed = serde_json::from_str(text).map_err(|_| Rejected::Malformed)?;
        if sealed.v != VERSION {
            return Err(Rejected::Malformed);
        }
        let mac = hex::decode(&sealed.mac).map_err(|_| Rejected::Malformed)?;
        self.mac(sealed.v, sealed.at_ms, &sealed.nonce, &sealed.body)
            .verify_slice(&mac)
            .map_err(|_| Rejected::Forged)?;
        let max_age = MAX_AGE.as_millis() as u64;
        if sealed.at_ms.abs_diff(now_ms) > max_age {
            return Err(Rejected::Stale);
        }
        self.remember(sealed.nonce, now_ms)?;
        Ok(sealed.body)
    }

    /// The MAC of a message's fields, each length-prefixed so that no two messages share
    /// their input.
    fn mac(&self, version: u8, at_ms: u64, nonce: &str, body: &str) -> Hmac<Sha256> {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes a key of any length");
        mac.update(b"dcmaid:plugins");
        mac.update(&[version]);
        mac.update(&at_ms.to_be_bytes());
        for field in [nonce, body] {
            mac.update(&(field.len() as u64).to_be_bytes());
            mac.update(field.as_bytes());
        }
        mac
    }

    /// Note `nonce` as seen at `now_ms`; `Err` if it was seen already.
    fn remember(&self, nonce: String, now_ms: u64) -> Result<(), Rejected> {
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        let forget_before = now_ms.saturating_sub(2 * MAX_AGE.as_millis() as u64);
        while let Some((at, _)) = seen.order.front() {
            if *at >= forget_before && seen.order.len() < MAX_REMEMBERED {
                break;
            }
            let (_, old) = seen.order.pop_front().expect("the front exists");
            seen.nonces.remove(&old);
        }
        if seen.nonces.contains_key(&nonce) {
            return Err(Rejected::Replayed);
        }
        seen.nonces.insert(nonce.clone(), now_ms);
        seen.order.push_back((now_ms, nonce));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "a secret of the replicas";
    const NOW: u64 = 1_800_000_000_000;

    #[test]
    fn a_sealed_message_opens_once() {
        let seal = Seal::new(SECRET);
        let text = seal.seal(r#"{"plugin":"memory"}"#, NOW);
        assert_eq!(seal.open(&text, NOW + 5).unwrap(), r#"{"plugin":"memory"}"#);
        assert_eq!(seal.open(&text, NOW + 6), Err(Rejected::Replayed));
    }

    #[test]
    fn another_secret_or_an_altered_message_is_forged() {
        let text = Seal::new("another secret, as long").seal("{}", NOW);
        assert_eq!(Seal::new(SECRET).open(&text, NOW), Err(Rejected::Forged));

        let seal = Seal::new(SECRET);
        let text = seal.seal(r#"{"action":"reload"}"#, NOW);
        let altered = text.replace("reload", "disable");
        assert_eq!(seal.open(&altered, NOW), Err(Rejected::Forged));
        // Moving the time to make an old message fresh breaks the seal too.
        let moved = text.replace(&NOW.to_string(), &(NOW + 60_000).to_string());
        assert_eq!(seal.open(&moved, NOW + 60_000), Err(Rejected::Forged));
    }

    #[test]
    fn an_old_message_is_stale_and_junk_is_malformed() {
        let seal = Seal::new(SECRET);
        let text = seal.seal("{}", NOW);
        let later = NOW + MAX_AGE.as_millis() as u64 + 1;
        assert_eq!(seal.open(&text, later), Err(Rejected::Stale));
        assert_eq!(
            seal.open(r#"{"plugin":"memory","action":"disable"}"#, NOW),
            Err(Rejected::Malformed)
        );
        assert_eq!(seal.open("not json", NOW), Err(Rejected::Malformed));
    }

    #[test]
    fn nonces_are_forgotten_once_their_messages_are_stale() {
        let seal = Seal::new(SECRET);
        for n in 0..10 {
            seal.open(&seal.seal("{}", NOW + n), NOW + n).unwrap();
        }
        let much_later = NOW + 3 * MAX_AGE.as_millis() as u64;
        seal.open(&seal.seal("{}", much_later), much_later).unwrap();
        assert_eq!(seal.seen.lock().unwrap().nonces.len(), 1);
    }
}
