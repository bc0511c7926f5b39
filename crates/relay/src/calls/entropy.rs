//! Randomness for tokens, codes and salts, injected so tests are deterministic.

use base64::Engine as _;
use sha2::{Digest, Sha256};

/// A source of random bytes. Production uses [`OsEntropy`]; tests use [`SeededEntropy`].
pub trait Entropy: Send {
    /// Fills `buf` with random bytes.
    fn fill(&mut self, buf: &mut [u8]);
}

/// The thread's CSPRNG, seeded from the operating system.
#[derive(Debug, Default, Clone, Copy)]
pub struct OsEntropy;

impl Entropy for OsEntropy {
    fn fill(&mut self, buf: &mut [u8]) {
        use rand::RngCore as _;
        rand::rng().fill_bytes(buf);
    }
}

/// A predictable stream (SplitMix64) for tests. Never use it for real tokens.
#[derive(Debug, Clone)]
pub struct SeededEntropy(u64);

impl SeededEntropy {
    /// A stream that depends only on `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }
}

impl Entropy for SeededEntropy {
    fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            chunk.copy_from_slice(&z.to_le_bytes()[..chunk.len()]);
        }
    }
}

/// A long opaque token: 32 random bytes as unpadded base64url (43 characters).
pub fn random_token(entropy: &mut dyn Entropy) -> String {
    let mut bytes = [0u8; 32];
    entropy.fill(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The characters of short codes: digits and capitals without 0/O, 1/I/L.
pub const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/// Characters in a short code. 31^6 ≈ 8.9·10^8 codes.
pub const CODE_LEN: usize = 6;

/// A short code for typing by hand, uniform over [`CODE_ALPHABET`].
pub fn short_code(entropy: &mut dyn Entropy) -> String {
    // Rejection sampling keeps the distribution uniform: 248 = 8 × 31.
    let limit = (256 / CODE_ALPHABET.len() * CODE_ALPHABET.len()) as u8;
    let mut code = String::with_capacity(CODE_LEN);
    let mut byte = [0u8; 1];
    while code.len() < CODE_LEN {
        entropy.fill(&mut byte);
        if byte[0] < limit {
            code.push(char::from(
                CODE_ALPHABET[usize::from(byte[0]) % CODE_ALPHABET.len()],
            ));
        }
    }
    code
}

/// A code as typed: upper-cased, spaces and dashes dropped. `None` if it cannot be a code.
pub fn normalise_code(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (code.len() == CODE_LEN && code.bytes().all(|b| CODE_ALPHABET.contains(&b))).then_some(code)
}

/// What the relay keeps of a token: its SHA-256. Lookups by hash also take no time that depends on
/// how much of a guessed token matches.
pub type TokenHash = [u8; 32];

/// The SHA-256 of a secret.
pub fn token_hash(secret: &str) -> TokenHash {
    Sha256::digest(secret.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_entropy_repeats_and_tokens_are_long() {
        let a = random_token(&mut SeededEntropy::new(7));
        let b = random_token(&mut SeededEntropy::new(7));
        assert_eq!(a, b);
        assert_eq!(a.len(), 43);
        assert_ne!(a, random_token(&mut SeededEntropy::new(8)));
        assert_ne!(random_token(&mut OsEntropy), random_token(&mut OsEntropy));
    }

    #[test]
    fn short_codes_avoid_ambiguous_characters() {
        let mut e = SeededEntropy::new(1);
        for _ in 0..200 {
            let code = short_code(&mut e);
            assert_eq!(code.len(), CODE_LEN);
            assert!(!code.contains(['0', 'O', '1', 'I', 'L']), "{code}");
            assert_eq!(normalise_code(&code.to_lowercase()), Some(code.clone()));
        }
        assert_eq!(normalise_code("abc-def"), Some("ABCDEF".into()));
        assert_eq!(normalise_code("ABCDE0"), None);
        assert_eq!(normalise_code("ABCDEFG"), None);
    }
}
