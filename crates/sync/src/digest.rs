//! Digests that let two devices find what differs without listing everything: per document
//! (over its change hashes), per bucket of documents, and one root.

use blake3::Hasher;

/// A 32-byte BLAKE3 digest.
pub type Digest = [u8; 32];

/// The digest of a document's change hashes (sorted, deduplicated by the caller's set).
pub fn doc_digest<'a>(hashes: impl IntoIterator<Item = &'a [u8; 32]>) -> Digest {
    let mut sorted: Vec<&[u8; 32]> = hashes.into_iter().collect();
    sorted.sort_unstable();
    sorted.dedup();
    let mut h = Hasher::new();
    h.update(b"carnet/doc-digest/v1");
    for x in sorted {
        h.update(x);
    }
    *h.finalize().as_bytes()
}

/// The bucket (0–255) a document falls in.
pub fn bucket_of(doc: &str) -> u8 {
    blake3::hash(doc.as_bytes()).as_bytes()[0]
}

/// The 256 bucket digests of a set of (document id, digest) summaries.
pub fn buckets(summaries: &[(String, Digest)]) -> Vec<Digest> {
    let mut sorted: Vec<&(String, Digest)> = summaries.iter().collect();
    sorted.sort();
    let mut hashers: Vec<Hasher> = (0..256).map(|_| Hasher::new()).collect();
    for (doc, digest) in sorted {
        add(&mut hashers[bucket_of(doc) as usize], doc, digest);
    }
    hashers
        .into_iter()
        .map(|h| *h.finalize().as_bytes())
        .collect()
}

fn add(h: &mut Hasher, doc: &str, digest: &Digest) {
    h.update(&(doc.len() as u32).to_be_bytes());
    h.update(doc.as_bytes());
    h.update(digest);
}

/// The digest of one bucket from its documents, which must be sorted by document id (as a
/// `BTreeMap` iterates): equal to that bucket's entry in [`buckets`].
pub fn bucket_digest<'a>(docs: impl IntoIterator<Item = (&'a String, &'a Digest)>) -> Digest {
    let mut h = Hasher::new();
    for (doc, digest) in docs {
        add(&mut h, doc, digest);
    }
    *h.finalize().as_bytes()
}

/// The root digest over bucket digests.
pub fn root(buckets: &[Digest]) -> Digest {
    let mut h = Hasher::new();
    h.update(b"carnet/root/v1");
    for b in buckets {
        h.update(b);
    }
    *h.finalize().as_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_ignore_order_and_see_any_difference() {
        let a = [[1u8; 32], [2u8; 32]];
        let b = [[2u8; 32], [1u8; 32]];
        assert_eq!(doc_digest(&a), doc_digest(&b));
        assert_ne!(doc_digest(&a), doc_digest(&a[..1]));
        let s1 = vec![
            ("member/a/com".to_string(), doc_digest(&a)),
            ("member/b/com".to_string(), doc_digest(&a[..1])),
        ];
        let mut s2 = s1.clone();
        s2.reverse();
        assert_eq!(root(&buckets(&s1)), root(&buckets(&s2)));
        for (doc, _) in &s1 {
            let b = bucket_of(doc);
            let inside: std::collections::BTreeMap<String, Digest> = s1
                .iter()
                .filter(|(d, _)| bucket_of(d) == b)
                .cloned()
                .collect();
            assert_eq!(bucket_digest(&inside), buckets(&s1)[b as usize]);
        }
        s2[0].1 = [9; 32];
        let (b1, b2) = (buckets(&s1), buckets(&s2));
        assert_eq!(b1.iter().zip(&b2).filter(|(x, y)| x != y).count(), 1);
    }
}
