//! Where plugins' outgoing HTTP may go. A request passes when its URL is HTTPS (or plain
//! HTTP to a host and port the operator granted exactly), carries no userinfo, names a host
//! that is both on the operator's allowlist and among the hosts the plugin's manifest
//! requests, on the granted port; and when every address the host resolves to is public
//! (see [`address`]), unless the operator granted that IP literal itself. The address that
//! was checked is the one to connect to, so a DNS answer that changes in between (DNS
//! rebinding) cannot redirect the connection.

use std::net::IpAddr;

use url::{Host, Url};
use wasmtime_wasi_http::Error as ErrorCode;

use super::address;
use super::allowlist::Allowlist;
use crate::core::{ANY_HOST, normalize_host};

/// Why a request was denied; the text names the part of the URL to blame.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    #[error("not a URL: {0}")]
    Malformed(String),
    #[error("scheme `{0}`: only https (or http to a host and port the operator granted)")]
    Scheme(String),
    #[error("URLs with a user name or password are refused")]
    Userinfo,
    #[error("`{host}` is not on the operator's allowlist, nor granted to this plugin")]
    NotAllowlisted { host: String },
    #[error("`{host}` is not among the hosts the plugin's manifest requests")]
    NotRequested { host: String },
    #[error("`{host}` port {port} is not granted")]
    Port { host: String, port: u16 },
    #[error("`{host}` resolves to {ip}, {kind}")]
    Address { host: String, ip: IpAddr, kind: &'static str },
    #[error("`{host}` did not resolve to any address")]
    Unresolved { host: String },
}

impl Denied {
    /// The `wasi:http` error a guest gets, one per reason, so that it can say why: a URL it
    /// should not have built, an address it may not reach, a name that does not exist, or
    /// a host the operator did not grant.
    pub fn error_code(&self) -> ErrorCode {
        match self {
            Denied::Malformed(_) | Denied::Scheme(_) | Denied::Userinfo => {
                ErrorCode::HttpRequestUriInvalid
            }
            Denied::Address { .. } => ErrorCode::DestinationIpProhibited,
            Denied::Unresolved { .. } => ErrorCode::DestinationNotFound,
            Denied::NotAllowlisted { .. } | Denied::NotRequested { .. } | Denied::Port { .. } => {
                ErrorCode::HttpRequestDenied
            }
        }
    }
}

/// A request that passed the URL checks: where to connect, once resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub https: bool,
    pub host: String,
    pub port: u16,
    /// The operator granted this IP literal itself: its address is not checked.
    pub granted_literal: bool,
}

/// The URL checks for one plugin: the operator's allowlist (which grants every plugin), what
/// the operator granted this plugin alone, and the hosts it requested.
pub struct Egress<'a> {
    pub allowlist: &'a Allowlist,
    /// `[plugins.<name>] http_hosts`: granted to this plugin only.
    pub own: &'a Allowlist,
    /// The hosts the plugin's manifest requests, normalized as the allowlist's; `*` for any.
    pub requested: &'a [String],
}

impl Egress<'_> {
    /// Check `url` before anything is resolved or sent.
    pub fn check_url(&self, url: &str) -> Result<Target, Denied> {
        let parsed = Url::parse(url).map_err(|e| Denied::Malformed(e.to_string()))?;
        let https = match parsed.scheme() {
            "https" => true,
            "http" => false,
            other => return Err(Denied::Scheme(other.to_owned())),
        };
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(Denied::Userinfo);
        }
        let host = parsed.host().ok_or_else(|| Denied::Malformed("no host".into()))?;
        let literal = !matches!(host, Host::Domain(_));
        let host = normalize_host(&host);
        let port =
            parsed.port_or_known_default().ok_or_else(|| Denied::Malformed("no port".into()))?;
        let grants = || self.allowlist.grants().chain(self.own.grants());
        let on_list = |https| grants().any(|g| g.https == https && g.host == host);
        if !self.allowlist.allows(https, &host, port) && !self.own.allows(https, &host, port) {
            return Err(match (on_list(https), https) {
                (true, _) => Denied::Port { host, port },
                (false, false) if on_list(true) => Denied::Scheme("http".into()),
                _ => Denied::NotAllowlisted { host },
            });
        }
        if !self.requested.iter().any(|r| r == &host || r == ANY_HOST) {
            return Err(Denied::NotRequested { host });
        }
        Ok(Target { https, host, port, granted_literal: literal })
    }

    /// Check what `target`'s host resolved to; the address to connect to. Every address
    /// must be public, so that a mix of public and private answers cannot slip through.
    pub fn check_addresses(target: &Target, resolved: &[IpAddr]) -> Result<IpAddr, Denied> {
        let first =
            *resolved.first().ok_or_else(|| Denied::Unresolved { host: target.host.clone() })?;
        if target.granted_literal {
            return Ok(first);
        }
        for ip in resolved {
            if let Some(kind) = address::private_kind(*ip) {
                return Err(Denied::Address { host: target.host.clone(), ip: *ip, kind });
            }
        }
        Ok(first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIST: &str =
        "api.duckduckgo.com\napi.github.com\napi.openweathermap.org\nhttp://127.0.0.1:8080\n";

    fn requested() -> Vec<String> {
        ["api.duckduckgo.com", "api.github.com", "api.openweathermap.org", "127.0.0.1"]
            .map(str::to_owned)
            .to_vec()
    }

    #[test]
    fn the_ssrf_battery_is_denied_before_anything_is_sent() {
        let allowlist = Allowlist::parse(LIST).unwrap();
        let requested = requested();
        let egress =
            Egress { allowlist: &allowlist, own: &Allowlist::default(), requested: &requested };
        let denied = [
            // Hosts not on the list, however they are spelled.
            "https://evil.test/",
            "https://api.github.com.evil.test/",
            "https://evilapi.github.com/",
            "https://github.com/",
            // Userinfo tricks.
            "https://api.github.com@evil.test/",
            "https://api.github.com:443@evil.test/",
            "https://user:pass@api.github.com/",
            "https://evil.test#@api.github.com/",
            "https://evil.test?@api.github.com/",
            // Schemes.
            "http://api.github.com/",
            "ftp://api.github.com/",
            "file:///etc/passwd",
            "gopher://api.github.com/",
            "data:text/plain,hello",
            "javascript:alert(1)",
            // Ports.
            "https://api.github.com:8443/",
            "https://api.github.com:22/",
            "http://127.0.0.1:8081/",
            "http://127.0.0.1/",
            // Loopback and private IPs in every spelling.
            "https://127.0.0.1/",
            "https://2130706433/",
            "https://0x7f000001/",
            "https://0177.0.0.1/",
            "https://0x7f.0.0.1/",
            "https://127.1/",
            "https://127.0.1/",
            "https://0/",
            "https://[::1]/",
            "https://[::ffff:127.0.0.1]/",
            "https://[::ffff:7f00:1]/",
            "https://169.254.169.254/latest/meta-data/",
            "https://[::ffff:169.254.169.254]/",
            "https://10.0.0.1/",
            "https://192.168.0.1/",
            "https://100.64.0.1/",
            "https://0xa9fea9fe/",
            "https://localhost/",
            "https://LOCALHOST./",
            "https://[fd00::1]/",
            "https://[fe80::1]/",
            // Malformed.
            "not a url",
            "https:///nohost",
            "https://api.github.com:99999/",
        ];
        assert!(denied.len() >= 40);
        for url in denied {
            assert!(egress.check_url(url).is_err(), "{url} passed");
        }
    }

    #[test]
    fn allowed_hosts_pass_in_any_spelling_of_the_same_host() {
        let allowlist = Allowlist::parse(LIST).unwrap();
        let requested = requested();
        let egress =
            Egress { allowlist: &allowlist, own: &Allowlist::default(), requested: &requested };
        for url in [
            "https://api.github.com/repos/rust-lang/rust",
            "https://API.GITHUB.COM/search/issues?q=x",
            "https://api.github.com./",
            "https://api.github.com:443/",
            "https://api.duckduckgo.com/?q=rust&format=json",
            "http://127.0.0.1:8080/fake",
        ] {
            let target = egress.check_url(url).unwrap_or_else(|e| panic!("{url}: {e}"));
            assert!(target.port == 443 || target.port == 8080);
        }
        // Every spelling of 127.0.0.1 is read as 127.0.0.1: the grant of that exact host and
        // port covers them, and nothing else does.
        for url in ["http://2130706433:8080/", "http://0x7f.1:8080/", "http://0177.0.0.1:8080/"] {
            let target = egress.check_url(url).unwrap_or_else(|e| panic!("{url}: {e}"));
            assert_eq!((target.host.as_str(), target.granted_literal), ("127.0.0.1", true));
        }
    }

    #[test]
    fn a_host_must_be_both_allowlisted_and_requested() {
        let allowlist = Allowlist::parse(LIST).unwrap();
        let requested = vec!["api.github.com".to_owned()];
        let egress =
            Egress { allowlist: &allowlist, own: &Allowlist::default(), requested: &requested };
        assert!(egress.check_url("https://api.github.com/").is_ok());
        assert_eq!(
            egress.check_url("https://api.duckduckgo.com/"),
            Err(Denied::NotRequested { host: "api.duckduckgo.com".into() })
        );
        assert_eq!(
            egress.check_url("https://evil.test/"),
            Err(Denied::NotAllowlisted { host: "evil.test".into() })
        );
        // `*` asks for whatever the operator allows, and no more.
        let any = vec!["*".to_owned()];
        let egress = Egress { allowlist: &allowlist, own: &Allowlist::default(), requested: &any };
        assert!(egress.check_url("https://api.duckduckgo.com/").is_ok());
        assert!(egress.check_url("https://evil.test/").is_err());
    }

    /// A host the operator granted one plugin is that plugin's: another plugin's `*` does
    /// not reach it.
    #[test]
    fn a_host_granted_to_one_plugin_is_not_anothers() {
        let allowlist = Allowlist::parse(LIST).unwrap();
        let own = Allowlist::try_from(vec!["internal.example".to_owned()]).unwrap();
        let any = vec!["*".to_owned()];
        let granted = Egress { allowlist: &allowlist, own: &own, requested: &any };
        assert!(granted.check_url("https://internal.example/").is_ok());
        assert!(granted.check_url("https://api.github.com/").is_ok(), "and the allowlist");
        let other = Egress { allowlist: &allowlist, own: &Allowlist::default(), requested: &any };
        assert_eq!(
            other.check_url("https://internal.example/"),
            Err(Denied::NotAllowlisted { host: "internal.example".into() })
        );
        let bad = Allowlist::try_from(vec!["ftp://x.example".to_owned()]).unwrap_err();
        assert!(bad.starts_with("`ftp://x.example`"), "{bad}");
    }

    #[test]
    fn resolved_addresses_must_all_be_public_and_the_checked_one_is_used() {
        let target = |granted_literal| Target {
            https: true,
            host: "api.github.com".into(),
            port: 443,
            granted_literal,
        };
        let public: IpAddr = "140.82.112.6".parse().unwrap();
        let metadata: IpAddr = "169.254.169.254".parse().unwrap();
        let loopback: IpAddr = "127.0.0.1".parse().unwrap();
        assert_eq!(Egress::check_addresses(&target(false), &[public]), Ok(public));
        for answer in [vec![loopback], vec![metadata], vec![public, loopback], vec![]] {
            assert!(Egress::check_addresses(&target(false), &answer).is_err(), "{answer:?}");
        }
        // An IP the operator granted itself (a test's fake on 127.0.0.1) passes.
        assert_eq!(Egress::check_addresses(&target(true), &[loopback]), Ok(loopback));
    }
}
