//! Publisher keys: ed25519 (ed25519-dalek), written as `ed25519:<hex>`.

use ed25519_dalek::{Signer, SigningKey, Verifier, VerifyingKey};

/// A publisher's public key, as the operator's config and `plugin.sig` write it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(try_from = "String", into = "String")]
pub struct PublicKey(VerifyingKey);

/// A publisher's secret key, as `dcmaid plugin keygen` writes it (hex).
pub struct SecretKey(SigningKey);

const PREFIX: &str = "ed25519:";

/// A fresh key pair from the operating system's randomness.
pub fn keygen() -> std::io::Result<(SecretKey, PublicKey)> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(std::io::Error::other)?;
    let secret = SigningKey::from_bytes(&seed);
    let public = PublicKey(secret.verifying_key());
    Ok((SecretKey(secret), public))
}

impl SecretKey {
    pub fn parse(text: &str) -> Result<SecretKey, String> {
        let bytes = hex::decode(text.trim()).map_err(|e| format!("not hex: {e}"))?;
        let seed: [u8; 32] = bytes.try_into().map_err(|_| "not 32 bytes".to_owned())?;
        Ok(SecretKey(SigningKey::from_bytes(&seed)))
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.0.to_bytes())
    }

    pub fn public(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }

    /// The signature of `message`, hex.
    pub fn sign(&self, message: &[u8]) -> String {
        hex::encode(self.0.sign(message).to_bytes())
    }
}

impl PublicKey {
    /// The key in a few characters, for messages: `ed25519:3d4017c3…`.
    pub fn short(&self) -> String {
        format!("{PREFIX}{}…", &hex::encode(self.0.to_bytes())[..8])
    }

    /// Whether `signature` (hex) is this key's over `message`.
    pub fn verifies(&self, message: &[u8], signature: &str) -> bool {
        let Ok(bytes) = hex::decode(signature) else { return false };
        let Ok(bytes) = <[u8; 64]>::try_from(bytes) else { return false };
        self.0.verify(message, &ed25519_dalek::Signature::from_bytes(&bytes)).is_ok()
    }
}

impl TryFrom<String> for PublicKey {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        let hex =
            text.strip_prefix(PREFIX).ok_or_else(|| format!("`{text}`: expected ed25519:<hex>"))?;
        let bytes = hex::decode(hex).map_err(|e| format!("`{text}`: not hex: {e}"))?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| format!("`{text}`: not 32 bytes"))?;
        VerifyingKey::from_bytes(&bytes)
            .map(PublicKey)
            .map_err(|e| format!("`{text}`: not an ed25519 key: {e}"))
    }
}

impl From<PublicKey> for String {
    fn from(key: PublicKey) -> String {
        key.to_string()
    }
}

impl std::fmt::Display for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{PREFIX}{}", hex::encode(self.0.to_bytes()))
    }
}
