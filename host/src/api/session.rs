//! Who a public chat caller is: a session the server issued, not a name the caller picks.
//! A caller without one gets a new user of its own (`s-` and 16 random hex digits) and the
//! token that proves it, in the `X-Dcmaid-Session` header and a cookie; sending it back speaks
//! as that user again. A token is `<user>.<issued, unix seconds>.<HMAC-SHA256 hex>` under the
//! server's session secret (`[server] session_secret`, `$DCMAID_SESSION_SECRET`; without one,
//! a random secret that lives as long as the process), so no state is kept, replicas that
//! share the secret accept each other's sessions, and nobody without the secret can mint one.

use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The header that carries a session both ways.
pub const HEADER: &str = "X-Dcmaid-Session";
/// The cookie that carries it for browsers.
pub const COOKIE: &str = "dcmaid_session";

/// Issues and checks sessions.
pub struct Sessions {
    key: Vec<u8>,
    max_age: Duration,
}

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BadSession {
    #[error("the session is not one this server issued")]
    Forged,
    #[error("the session has expired")]
    Expired,
}

impl Sessions {
    /// Sessions under `secret` (random when none), valid for `max_age`.
    pub fn new(secret: Option<&str>, max_age: Duration) -> Sessions {
        let key = match secret {
            Some(secret) => secret.as_bytes().to_vec(),
            None => {
                let mut key = vec![0; 32];
                getrandom::fill(&mut key).expect("the operating system's randomness");
                key
            }
        };
        Sessions { key, max_age }
    }

    /// A new user and its token, issued at `now` (unix seconds).
    pub fn issue(&self, now: u64) -> (String, String) {
        let mut bytes = [0u8; 8];
        getrandom::fill(&mut bytes).expect("the operating system's randomness");
        let user = format!("s-{}", hex::encode(bytes));
        let token = self.token(&user, now);
        (user, token)
    }

    fn token(&self, user: &str, issued: u64) -> String {
        let claim = format!("{user}.{issued}");
        format!("{claim}.{}", hex::encode(self.mac(&claim).finalize().into_bytes()))
    }

    fn mac(&self, claim: &str) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key");
        mac.update(claim.as_bytes());
        mac
    }

    /// The user `token` speaks as, checked at `now` (unix seconds).
    pub fn verify(&self, token: &str, now: u64) -> Result<String, BadSession> {
        let (claim, tag) = token.trim().rsplit_once('.').ok_or(BadSession::Forged)?;
        let tag = hex::decode(tag).map_err(|_| BadSession::Forged)?;
        // Constant time: the tag is compared by the MAC itself.
        self.mac(claim).verify_slice(&tag).map_err(|_| BadSession::Forged)?;
        let (user, issued) = claim.rsplit_once('.').ok_or(BadSession::Forged)?;
        let issued: u64 = issued.parse().map_err(|_| BadSession::Forged)?;
        if now.saturating_sub(issued) > self.max_age.as_secs() {
            return Err(BadSession::Expired);
        }
        Ok(user.to_owned())
    }

    /// The `Set-Cookie` value that hands `token` to a browser.
    pub fn cookie(&self, token: &str) -> String {
        format!(
            "{COOKIE}={token}; Max-Age={}; Path=/api/v1/chat; HttpOnly; SameSite=Strict",
            self.max_age.as_secs()
        )
    }
}

/// The session token in `request`'s header, else in its cookie.
pub fn presented(request: &poem::Request) -> Option<String> {
    if let Some(token) = request.header(HEADER) {
        return Some(token.to_owned());
    }
    let cookies = request.header(poem::http::header::COOKIE)?;
    cookies.split(';').find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        (name == COOKIE).then(|| value.to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_speaks_as_its_user_and_cannot_be_forged_altered_or_kept_forever() {
        let day = Duration::from_secs(86_400);
        let sessions = Sessions::new(Some("a secret of the operator's"), day);
        let (user, token) = sessions.issue(1_000);
        assert!(user.starts_with("s-") && user.len() == 18, "{user}");
        assert_eq!(sessions.verify(&token, 1_000 + 3_600), Ok(user.clone()));
        assert_eq!(sessions.verify(&token, 1_000 + 86_401), Err(BadSession::Expired));

        // Another user's name, or a later issue time, under the same tag.
        let (_, tag) = token.rsplit_once('.').unwrap();
        for claim in ["s-0000000000000000.1000", &format!("{user}.999999")] {
            let forged = format!("{claim}.{tag}");
            assert_eq!(sessions.verify(&forged, 1_000), Err(BadSession::Forged), "{forged}");
        }
        for junk in ["", "x", "a.b.c", &format!("{user}.1000.zz")] {
            assert_eq!(sessions.verify(junk, 1_000), Err(BadSession::Forged));
        }
        // Another server's (another secret's) session.
        let other = Sessions::new(None, day);
        assert_eq!(other.verify(&token, 1_000), Err(BadSession::Forged));
        // Replicas sharing the secret accept each other's.
        let replica = Sessions::new(Some("a secret of the operator's"), day);
        assert_eq!(replica.verify(&token, 1_000), Ok(user));
    }
}
