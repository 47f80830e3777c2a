//! The operator's allowlist, `config/allowed_domains.txt` in the seed's format: one host a
//! line, `#` comments. A bare host grants HTTPS on port 443; `https://host:port` grants
//! HTTPS on that port; `http://host:port` grants plain HTTP to exactly that host and port
//! (for a service on the operator's own network, or a test's fake). Hosts are read as a
//! browser reads them (WHATWG URL): lowercased, international names as punycode, a trailing
//! dot dropped, IPv4 in any spelling as dotted decimal.

use std::collections::BTreeSet;

use url::{Host, Url};

/// One grant: where a plugin may connect.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Grant {
    pub https: bool,
    pub host: String,
    pub port: u16,
}

#[derive(Debug, Clone, Default)]
pub struct Allowlist {
    grants: BTreeSet<Grant>,
}

/// `host` as URLs carry it: lowercase, punycode, no trailing dot, IPs canonical.
pub fn normalize_host(host: &Host<&str>) -> String {
    match host {
        Host::Domain(domain) => domain.trim_end_matches('.').to_owned(),
        Host::Ipv4(ip) => ip.to_string(),
        Host::Ipv6(ip) => ip.to_string(),
    }
}

/// A host a plugin's manifest asks to reach, normalized as the allowlist's hosts are; or
/// `*`, any host the operator's allowlist grants (for a plugin that fetches what users ask).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Deserialize, serde::Serialize)]
#[serde(try_from = "String", into = "String")]
pub struct RequestedHost(String);

/// What a manifest writes to ask for every host the operator allows.
pub const ANY_HOST: &str = "*";

impl RequestedHost {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for RequestedHost {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        if text == ANY_HOST {
            return Ok(RequestedHost(text));
        }
        let bracketed_ipv6 = text.starts_with('[') && text.ends_with(']');
        if !bracketed_ipv6 && text.contains(['/', ':', '@', '?', '#']) {
            return Err(format!("`{text}`: write a host alone, without scheme, port or path"));
        }
        let url = Url::parse(&format!("https://{text}/"))
            .map_err(|e| format!("`{text}` is not a host name: {e}"))?;
        match (url.host(), url.path(), url.port(), url.username()) {
            (Some(host), "/", None, "") => Ok(RequestedHost(normalize_host(&host))),
            _ => Err(format!("`{text}`: write a host alone, without scheme, port or path")),
        }
    }
}

impl From<RequestedHost> for String {
    fn from(host: RequestedHost) -> String {
        host.0
    }
}

impl Allowlist {
    /// Read the file's text; an error names the line and the reason.
    pub fn parse(text: &str) -> Result<Allowlist, String> {
        let mut grants = BTreeSet::new();
        for (number, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or_default().trim();
            if line.is_empty() {
                continue;
            }
            let grant =
                parse_grant(line).map_err(|why| format!("line {}: `{line}`: {why}", number + 1))?;
            grants.insert(grant);
        }
        Ok(Allowlist { grants })
    }

    /// Whether `grant` is on the list.
    pub fn allows(&self, https: bool, host: &str, port: u16) -> bool {
        self.grants.contains(&Grant { https, host: host.to_owned(), port })
    }

    pub fn grants(&self) -> impl Iterator<Item = &Grant> {
        self.grants.iter()
    }
}

fn parse_grant(line: &str) -> Result<Grant, String> {
    let with_scheme =
        if line.contains("://") { line.to_owned() } else { format!("https://{line}") };
    let url = Url::parse(&with_scheme).map_err(|e| e.to_string())?;
    let https = match url.scheme() {
        "https" => true,
        "http" => false,
        other => return Err(format!("`{other}` is not http or https")),
    };
    if !https && url.port().is_none() {
        return Err("plain http is granted for one port only: write http://host:port".into());
    }
    if url.path() != "/" || url.query().is_some() || !url.username().is_empty() {
        return Err("a grant is a host (and port), nothing more".into());
    }
    let host = url.host().ok_or("no host")?;
    let port = url.port_or_known_default().ok_or("no port")?;
    Ok(Grant { https, host: normalize_host(&host), port })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seeds_file_reads_as_https_grants() {
        let seed = "# Security allowlist for external API calls\napi.duckduckgo.com\napi.github.com\napi.openweathermap.org\napi.reddit.com\n";
        let list = Allowlist::parse(seed).unwrap();
        assert_eq!(list.grants().count(), 4);
        assert!(list.allows(true, "api.github.com", 443));
        assert!(!list.allows(false, "api.github.com", 80));
    }

    #[test]
    fn requested_hosts_are_normalized_like_the_allowlist() {
        let host = |text: &str| RequestedHost::try_from(text.to_owned());
        assert_eq!(host("API.GitHub.com.").unwrap().as_str(), "api.github.com");
        assert_eq!(host("bücher.example").unwrap().as_str(), "xn--bcher-kva.example");
        assert_eq!(host("0x7f.1").unwrap().as_str(), "127.0.0.1");
        assert_eq!(host("*").unwrap().as_str(), ANY_HOST);
        assert_eq!(host("[::1]").unwrap().as_str(), "::1");
        for bad in ["https://api.github.com", "api.github.com:443", "api.github.com/x", "", "a@b"] {
            assert!(host(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn hosts_are_normalized_and_bad_lines_named() {
        let list =
            Allowlist::parse("API.GitHub.com.\nbücher.example\nhttp://127.0.0.1:8080 # a fake\n")
                .unwrap();
        assert!(list.allows(true, "api.github.com", 443));
        assert!(list.allows(true, "xn--bcher-kva.example", 443));
        assert!(list.allows(false, "127.0.0.1", 8080));
        let error = Allowlist::parse("api.github.com\nhttp://plain.example\n").unwrap_err();
        assert!(error.starts_with("line 2: `http://plain.example`"), "{error}");
        assert!(Allowlist::parse("ftp://files.example:21").is_err());
        assert!(Allowlist::parse("api.github.com/repos").is_err());
    }
}
