//! Which versions of `dcmaid:bot` this host speaks, and how components name its interfaces.

/// The WIT package version this host was built against; plugins name it in their exports.
pub const WIT_VERSION: &str = "0.1.0";

/// Whether this host runs plugins built against `wit`: the same release line (for 0.x, the
/// same minor version), no newer than this host's.
pub fn runs_wit(wit: &semver::Version) -> bool {
    let host = semver::Version::parse(WIT_VERSION).expect("WIT_VERSION is a version");
    let same_line = match host.major {
        0 => wit.major == 0 && wit.minor == host.minor,
        major => wit.major == major,
    };
    same_line && *wit <= host
}

/// The fully qualified name of an interface of `dcmaid:bot`, as components export it.
pub fn interface_name(interface: &str) -> String {
    format!("dcmaid:bot/{interface}@{WIT_VERSION}")
}

#[cfg(test)]
mod tests {
    use super::runs_wit;

    #[test]
    fn plugins_of_this_release_line_and_no_newer_run() {
        let version = |text| semver::Version::parse(text).unwrap();
        assert!(runs_wit(&version("0.1.0")));
        assert!(!runs_wit(&version("0.2.0")), "a newer WIT");
        assert!(!runs_wit(&version("0.1.1")), "a newer patch may use what this host lacks");
        assert!(!runs_wit(&version("1.0.0")));
    }
}
