//! Custodial wallets: a secp256k1 key per player, its EIP-55 Ethereum address, the private
//! key sealed under the master key. The key never leaves the server.

use k256::ecdsa::SigningKey;
use sha3::{Digest, Keccak256};

use crate::Result;
use crate::crypto::MasterKey;

/// A freshly generated wallet: the public address and the sealed private key.
#[derive(Debug, Clone)]
pub struct NewWallet {
    /// `0x` + 40 hex digits, EIP-55 mixed case.
    pub address: String,
    /// The 32-byte private key, sealed with context [`wallet_context`].
    pub sealed_key: Vec<u8>,
}

/// The AEAD context binding a sealed wallet key to its address.
pub fn wallet_context(address: &str) -> String {
    format!("playgate:wallet:{address}")
}

/// Generates a wallet and seals its private key.
pub fn generate(master: &MasterKey) -> Result<NewWallet> {
    let key = SigningKey::random(&mut rand::rngs::OsRng);
    let address = address_of(&key);
    let sealed_key = master.seal(&wallet_context(&address), key.to_bytes().as_slice())?;
    Ok(NewWallet { address, sealed_key })
}

/// The Ethereum address of a key: the last 20 bytes of Keccak-256 of the uncompressed
/// public key (without its 0x04 tag), EIP-55 checksummed.
pub fn address_of(key: &SigningKey) -> String {
    let point = key.verifying_key().to_encoded_point(false);
    let hash = Keccak256::digest(&point.as_bytes()[1..]);
    checksum(&hex::encode(&hash[12..]))
}

/// EIP-55: uppercase each hex letter whose nibble in keccak(lowercase address) is >= 8.
pub fn checksum(lower_hex40: &str) -> String {
    let lower = lower_hex40.to_ascii_lowercase();
    let hash = Keccak256::digest(lower.as_bytes());
    let mut out = String::with_capacity(42);
    out.push_str("0x");
    for (i, c) in lower.chars().enumerate() {
        let nibble = (hash[i / 2] >> if i % 2 == 0 { 4 } else { 0 }) & 0x0f;
        out.push(if c.is_ascii_alphabetic() && nibble >= 8 {
            c.to_ascii_uppercase()
        } else {
            c
        });
    }
    out
}

/// Recovers the signing key of a sealed wallet (for signing on the player's behalf).
pub fn open(master: &MasterKey, address: &str, sealed: &[u8]) -> Result<SigningKey> {
    let raw = master.open(&wallet_context(address), sealed)?;
    SigningKey::from_slice(&raw).map_err(crate::Error::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eip55_vectors() {
        // Test vectors from EIP-55.
        for addr in [
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
            "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
            "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
        ] {
            assert_eq!(checksum(&addr[2..]), addr);
        }
    }

    #[test]
    fn known_key_address() {
        // Private key 1 has the well-known address 0x7E5F…Bdf.
        let mut raw = [0u8; 32];
        raw[31] = 1;
        let key = SigningKey::from_slice(&raw).expect("key");
        assert_eq!(address_of(&key), "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf");
    }

    #[test]
    fn sealed_key_reopens() {
        let (m, _) = MasterKey::generate();
        let w = generate(&m).expect("wallet");
        let key = open(&m, &w.address, &w.sealed_key).expect("open");
        assert_eq!(address_of(&key), w.address);
    }
}
