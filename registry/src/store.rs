//! Content-addressed storage on disk: blobs by SHA-256 digest, uploads in progress, and each
//! repository's tags and manifests. A blob is written to a temporary file and renamed into
//! place once its digest is checked, so a crash never leaves a blob under a wrong name.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("invalid name `{0}`")]
    Name(String),
    #[error("invalid tag or digest `{0}`")]
    Reference(String),
    #[error("digest mismatch: the content is {actual}, the client said {claimed}")]
    DigestMismatch { claimed: String, actual: String },
    #[error("unknown upload `{0}`")]
    UnknownUpload(String),
    #[error("a blob may be at most {max} bytes")]
    TooLarge { max: u64 },
    #[error(
        "tag `{tag}` already names {digest}: a published version never changes; \
         publish a new version"
    )]
    TagTaken { tag: String, digest: String },
    #[error("storage: {0}")]
    Io(#[from] std::io::Error),
}

pub struct Store {
    root: PathBuf,
}

/// `sha256:<hex>` of `bytes`.
pub fn digest_of(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// A repository name as the distribution spec allows: lowercase path components.
pub fn check_name(name: &str) -> Result<(), StoreError> {
    let component = |part: &str| {
        !part.is_empty()
            && part
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
            && part.starts_with(|c: char| c.is_ascii_alphanumeric())
            && part.ends_with(|c: char| c.is_ascii_alphanumeric())
    };
    let ok = name.len() <= 255 && name.split('/').all(component);
    if ok { Ok(()) } else { Err(StoreError::Name(name.to_owned())) }
}

fn digest_hex(digest: &str) -> Result<&str, StoreError> {
    match digest.strip_prefix("sha256:") {
        Some(hex) if hex.len() == 64 && hex.chars().all(|c| c.is_ascii_hexdigit()) => Ok(hex),
        _ => Err(StoreError::Reference(digest.to_owned())),
    }
}

fn check_tag(tag: &str) -> Result<(), StoreError> {
    let ok = !tag.is_empty()
        && tag.len() <= 128
        && tag.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
        && !tag.starts_with(['.', '-']);
    if ok { Ok(()) } else { Err(StoreError::Reference(tag.to_owned())) }
}

impl Store {
    pub fn open(root: &Path) -> Result<Store, StoreError> {
        for dir in ["blobs/sha256", "uploads", "repositories"] {
            std::fs::create_dir_all(root.join(dir))?;
        }
        Ok(Store { root: root.to_owned() })
    }

    fn blob_path(&self, digest: &str) -> Result<PathBuf, StoreError> {
        Ok(self.root.join("blobs/sha256").join(digest_hex(digest)?))
    }

    pub fn blob(&self, digest: &str) -> Result<Option<Vec<u8>>, StoreError> {
        match std::fs::read(self.blob_path(digest)?) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(error.into()),
        }
    }

    /// Store `bytes`, which must hash to `claimed`.
    pub fn put_blob(&self, claimed: &str, bytes: &[u8]) -> Result<(), StoreError> {
        let actual = digest_of(bytes);
        if actual != claimed {
            return Err(StoreError::DigestMismatch { claimed: claimed.to_owned(), actual });
        }
        let path = self.blob_path(claimed)?;
        let temporary = path.with_extension(format!("tmp{}", std::process::id()));
        std::fs::write(&temporary, bytes)?;
        std::fs::rename(temporary, path)?;
        Ok(())
    }

    /// Start an upload; its id. Uploads untouched for `ttl` (started and left) go first.
    pub fn start_upload(&self, ttl: std::time::Duration) -> Result<String, StoreError> {
        self.expire_uploads(ttl)?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| since.as_nanos());
        let id = format!("{nanos:x}{:x}", std::process::id());
        std::fs::write(self.root.join("uploads").join(&id), b"")?;
        Ok(id)
    }

    fn upload_path(&self, id: &str) -> Result<PathBuf, StoreError> {
        let path = self.root.join("uploads").join(id);
        let valid = id.chars().all(|c| c.is_ascii_hexdigit()) && path.is_file();
        if valid { Ok(path) } else { Err(StoreError::UnknownUpload(id.to_owned())) }
    }

    /// Remove the unfinished uploads that no chunk reached for `ttl`; how many.
    pub fn expire_uploads(&self, ttl: std::time::Duration) -> Result<usize, StoreError> {
        let mut removed = 0;
        for entry in std::fs::read_dir(self.root.join("uploads"))? {
            let entry = entry?;
            let age = entry.metadata()?.modified()?.elapsed().unwrap_or_default();
            if age > ttl && std::fs::remove_file(entry.path()).is_ok() {
                removed += 1;
            }
        }
        Ok(removed)
    }

    /// Append `chunk` to upload `id`, which may grow to `max` bytes; its size after.
    pub fn append(&self, id: &str, chunk: &[u8], max: u64) -> Result<u64, StoreError> {
        use std::io::Write;
        let path = self.upload_path(id)?;
        let mut file = std::fs::OpenOptions::new().append(true).open(&path)?;
        if file.metadata()?.len() + chunk.len() as u64 > max {
            return Err(StoreError::TooLarge { max });
        }
        file.write_all(chunk)?;
        Ok(file.metadata()?.len())
    }

    /// Finish upload `id` (with a last `chunk`) as the blob `digest`.
    pub fn finish(&self, id: &str, chunk: &[u8], digest: &str, max: u64) -> Result<(), StoreError> {
        self.append(id, chunk, max)?;
        let path = self.upload_path(id)?;
        let bytes = std::fs::read(&path)?;
        let stored = self.put_blob(digest, &bytes);
        let _ = std::fs::remove_file(path);
        stored
    }

    fn repository(&self, name: &str) -> Result<PathBuf, StoreError> {
        check_name(name)?;
        Ok(self.root.join("repositories").join(name))
    }

    /// Store a manifest under its digest, and under `reference` when that is a tag.
    pub fn put_manifest(
        &self,
        name: &str,
        reference: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<String, StoreError> {
        let repository = self.repository(name)?;
        let digest = digest_of(bytes);
        if reference.starts_with("sha256:") {
            if reference != digest {
                return Err(StoreError::DigestMismatch {
                    claimed: reference.to_owned(),
                    actual: digest,
                });
            }
        } else {
            check_tag(reference)?;
        }
        let tag = repository.join("tags").join(reference);
        if !reference.starts_with("sha256:")
            && let Ok(named) = std::fs::read_to_string(&tag)
            && named != digest
        {
            return Err(StoreError::TagTaken { tag: reference.to_owned(), digest: named });
        }
        self.put_blob(&digest, bytes)?;
        std::fs::create_dir_all(repository.join("manifests"))?;
        std::fs::create_dir_all(repository.join("tags"))?;
        std::fs::write(repository.join("manifests").join(digest_hex(&digest)?), media_type)?;
        if !reference.starts_with("sha256:") {
            std::fs::write(tag, &digest)?;
        }
        Ok(digest)
    }

    /// A manifest by tag or digest: its media type, digest and bytes.
    pub fn manifest(
        &self,
        name: &str,
        reference: &str,
    ) -> Result<Option<(String, String, Vec<u8>)>, StoreError> {
        let repository = self.repository(name)?;
        let digest = if reference.starts_with("sha256:") {
            reference.to_owned()
        } else {
            check_tag(reference)?;
            match std::fs::read_to_string(repository.join("tags").join(reference)) {
                Ok(digest) => digest,
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                Err(error) => return Err(error.into()),
            }
        };
        let media_type = match std::fs::read_to_string(
            repository.join("manifests").join(digest_hex(&digest)?),
        ) {
            Ok(media_type) => media_type,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(error.into()),
        };
        Ok(self.blob(&digest)?.map(|bytes| (media_type, digest, bytes)))
    }

    /// The tags of `name`, sorted.
    pub fn tags(&self, name: &str) -> Result<Vec<String>, StoreError> {
        let dir = self.repository(name)?.join("tags");
        let Ok(entries) = std::fs::read_dir(dir) else { return Ok(Vec::new()) };
        let mut tags: Vec<String> = entries
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        tags.sort();
        Ok(tags)
    }

    /// Every repository's name.
    pub fn repositories(&self) -> Vec<String> {
        let mut found = Vec::new();
        let root = self.root.join("repositories");
        let mut stack = vec![root.clone()];
        while let Some(dir) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else { continue };
            for entry in entries.filter_map(Result::ok) {
                let path = entry.path();
                if path.join("tags").is_dir() {
                    if let Ok(name) = path.strip_prefix(&root) {
                        found.push(name.to_string_lossy().into_owned());
                    }
                } else if path.is_dir() {
                    stack.push(path);
                }
            }
        }
        found.sort();
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blobs_are_stored_only_under_their_own_digest() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let digest = digest_of(b"hello");
        store.put_blob(&digest, b"hello").unwrap();
        assert_eq!(store.blob(&digest).unwrap().as_deref(), Some(&b"hello"[..]));
        assert!(matches!(
            store.put_blob(&digest, b"tampered"),
            Err(StoreError::DigestMismatch { .. })
        ));
        assert!(store.blob("sha256:../../etc/passwd").is_err());
        assert!(check_name("dcmaid/hello").is_ok());
        for bad in ["Hello", "../x", "a//b", "-a", ""] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn uploads_in_chunks_become_one_blob_and_tags_point_at_manifests() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let id = store.start_upload(HOUR).unwrap();
        assert_eq!(store.append(&id, b"hel", 5).unwrap(), 3);
        store.finish(&id, b"lo", &digest_of(b"hello"), 5).unwrap();
        assert!(store.blob(&digest_of(b"hello")).unwrap().is_some());
        let digest =
            store.put_manifest("dcmaid/hello", "0.1.0", "application/json", b"{}").unwrap();
        let (media_type, by_tag, bytes) = store.manifest("dcmaid/hello", "0.1.0").unwrap().unwrap();
        assert_eq!(
            (media_type.as_str(), by_tag.as_str(), bytes.as_slice()),
            ("application/json", digest.as_str(), &b"{}"[..])
        );
        assert!(store.manifest("dcmaid/hello", &digest).unwrap().is_some());
        assert_eq!(store.tags("dcmaid/hello").unwrap(), ["0.1.0"]);
        assert_eq!(store.repositories(), ["dcmaid/hello"]);
    }

    const HOUR: std::time::Duration = std::time::Duration::from_secs(3600);

    #[test]
    fn an_upload_stops_at_its_limit_and_one_left_unfinished_expires() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let id = store.start_upload(HOUR).unwrap();
        store.append(&id, b"1234", 6).unwrap();
        assert!(matches!(store.append(&id, b"567", 6), Err(StoreError::TooLarge { max: 6 })));
        assert_eq!(store.append(&id, b"56", 6).unwrap(), 6, "what fits is kept");

        assert_eq!(store.expire_uploads(HOUR).unwrap(), 0);
        std::thread::sleep(std::time::Duration::from_millis(20));
        let left = store.start_upload(std::time::Duration::from_millis(10)).unwrap();
        assert!(matches!(store.append(&id, b"", 6), Err(StoreError::UnknownUpload(_))));
        assert_eq!(store.append(&left, b"x", 6).unwrap(), 1, "the new one is kept");
    }

    #[test]
    fn a_tag_names_one_manifest_for_ever() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let first = store.put_manifest("acme/hello", "1.0.0", "m", b"{\"a\":1}").unwrap();
        // The same manifest again is no change.
        assert_eq!(store.put_manifest("acme/hello", "1.0.0", "m", b"{\"a\":1}").unwrap(), first);
        let other = store.put_manifest("acme/hello", "1.0.0", "m", b"{\"a\":2}");
        assert!(matches!(other, Err(StoreError::TagTaken { digest, .. }) if digest == first));
        assert_eq!(store.manifest("acme/hello", "1.0.0").unwrap().unwrap().1, first);
    }
}
