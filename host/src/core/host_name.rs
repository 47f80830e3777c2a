//! Host names as URLs carry them, read as a browser reads them (WHATWG URL): lowercased,
//! international names as punycode, a trailing dot dropped, IPv4 in any spelling as dotted
//! decimal. Manifests, the allowlist and the egress checks all compare hosts in this form.

use url::{Host, Url};

/// `host` as URLs carry it: lowercase, punycode, no trailing dot, IPs canonical.
pub fn normalize_host(host: &Host<&str>) -> String {
    match host {
        Host::Domain(domain) => domain.trim_end_matches('.').to_owned(),
        Host::Ipv4(ip) => ip.to_string(),
        Host::Ipv6(ip) => ip.to_string(),
    }
}

/// What a manifest writes to ask for every host the operator allows.
pub const ANY_HOST: &str = "*";

/// A host a plugin's manifest asks to reach, normalized as the allowlist's hosts are; or
/// `*`, any host the operator's allowlist grants (for a plugin that fetches what users ask).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Deserialize, serde::Serialize)]
#[serde(try_from = "String", into = "String")]
pub struct RequestedHost(String);

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
