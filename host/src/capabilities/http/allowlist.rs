//! The operator's allowlist, `config/allowed_domains.txt` in the seed's format: one host a
//! line, `#` comments. A bare host grants HTTPS on port 443; `https://host:port` grants
//! HTTPS on that port; `http://host:port` grants plain HTTP to exactly that host and port
//! (for a service on the operator's own network, or a test's fake). Hosts are read as a
//! browser reads them (WHATWG URL): lowercased, international names as punycode, a trailing
//! dot dropped, IPv4 in any spelling as dotted decimal. The file grants every plugin; an
//! operator grants one plugin more with `[plugins.<name>] http_hosts`, a list of the same
//! lines.

use std::collections::BTreeSet;

use url::Url;

use crate::core::normalize_host;

/// One grant: where a plugin may connect.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Grant {
    pub https: bool,
    pub host: String,
    pub port: u16,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(try_from = "Vec<String>")]
pub struct Allowlist {
    grants: BTreeSet<Grant>,
}

/// A list of grants, as `[plugins.<name>] http_hosts` writes them.
impl TryFrom<Vec<String>> for Allowlist {
    type Error = String;

    fn try_from(lines: Vec<String>) -> Result<Self, String> {
        let mut grants = BTreeSet::new();
        for line in &lines {
            let grant = parse_grant(line.trim()).map_err(|why| format!("`{line}`: {why}"))?;
            grants.insert(grant);
        }
        Ok(Allowlist { grants })
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

    pub fn is_empty(&self) -> bool {
        self.grants.is_empty()
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
