//! Enrolled kiosks: a device id bound to its store, room and the hash of its device key.

use std::collections::BTreeMap;

use atelier_protocol::call::Secret;
use atelier_protocol::{DeviceId, RoomName, StoreId};

use super::entropy::{Entropy, TokenHash, random_token, token_hash};

/// The demo kiosk's device id (the kiosk's default `[kiosk] device_id`).
pub const DEMO_DEVICE_ID: &str = "demo-kiosk";
/// The demo kiosk's store.
pub const DEMO_STORE_ID: &str = "demo-sh";
/// The demo kiosk's room.
pub const DEMO_ROOM: &str = "Room 1";
/// The demo kiosk's device key. Public on purpose: the demo only.
pub const DEMO_DEVICE_KEY: &str = atelier_protocol::call::DEMO_DEVICE_KEY;

/// One enrolled kiosk. Its store and room are the relay's word, not the kiosk's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrollment {
    pub device_id: DeviceId,
    pub store_id: StoreId,
    pub room: RoomName,
    key_hash: TokenHash,
}

impl Enrollment {
    /// An enrollment for a key the caller holds.
    pub fn new(device_id: DeviceId, store_id: StoreId, room: RoomName, device_key: &str) -> Self {
        Self::from_key_hash(device_id, store_id, room, token_hash(device_key))
    }

    /// An enrollment as stored (the key's SHA-256 only).
    pub fn from_key_hash(
        device_id: DeviceId,
        store_id: StoreId,
        room: RoomName,
        key_hash: TokenHash,
    ) -> Self {
        Self {
            device_id,
            store_id,
            room,
            key_hash,
        }
    }

    /// The SHA-256 of the device key, for storage.
    pub fn key_hash(&self) -> &TokenHash {
        &self.key_hash
    }
}

/// Compares without an early exit, so the time taken does not depend on where two hashes differ.
fn same(a: &TokenHash, b: &TokenHash) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The kiosks allowed to call.
#[derive(Debug, Clone, Default)]
pub struct Enrollments {
    by_device: BTreeMap<DeviceId, Enrollment>,
}

impl Enrollments {
    /// None enrolled.
    pub fn new() -> Self {
        Self::default()
    }

    /// The demo kiosk ([`DEMO_DEVICE_ID`] in [`DEMO_STORE_ID`], key [`DEMO_DEVICE_KEY`]).
    pub fn demo() -> Self {
        let mut e = Self::new();
        if let (Ok(device), Ok(store), Ok(room)) = (
            DeviceId::new(DEMO_DEVICE_ID),
            StoreId::new(DEMO_STORE_ID),
            RoomName::new(DEMO_ROOM),
        ) {
            e.insert(Enrollment::new(device, store, room, DEMO_DEVICE_KEY));
        }
        e
    }

    /// Enrolls a kiosk with a fresh key, returned once for provisioning.
    pub fn enroll(
        &mut self,
        device_id: DeviceId,
        store_id: StoreId,
        room: RoomName,
        entropy: &mut dyn Entropy,
    ) -> Secret {
        let key = random_token(entropy);
        self.insert(Enrollment::new(device_id, store_id, room, &key));
        Secret::new(key)
    }

    /// Adds or replaces an enrollment.
    pub fn insert(&mut self, enrollment: Enrollment) {
        self.by_device.insert(enrollment.device_id.clone(), enrollment);
    }

    /// Withdraws a kiosk.
    pub fn remove(&mut self, device_id: &DeviceId) -> Option<Enrollment> {
        self.by_device.remove(device_id)
    }

    /// The enrollment, if any.
    pub fn get(&self, device_id: &DeviceId) -> Option<&Enrollment> {
        self.by_device.get(device_id)
    }

    /// The enrollment if `device_key` is this device's key.
    pub fn verify(&self, device_id: &DeviceId, device_key: &str) -> Option<&Enrollment> {
        let enrollment = self.by_device.get(device_id)?;
        same(&enrollment.key_hash, &token_hash(device_key)).then_some(enrollment)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calls::entropy::SeededEntropy;

    #[test]
    fn enrolled_keys_verify_and_others_do_not() {
        let mut e = Enrollments::new();
        let device = DeviceId::new("k1").unwrap();
        let key = e.enroll(
            device.clone(),
            StoreId::new("s1").unwrap(),
            RoomName::new("Room 2").unwrap(),
            &mut SeededEntropy::new(5),
        );
        assert_eq!(
            e.verify(&device, key.expose()).map(|x| x.room.as_str()),
            Some("Room 2")
        );
        assert!(e.verify(&device, "guess").is_none());
        assert!(e.verify(&DeviceId::new("k2").unwrap(), key.expose()).is_none());
    }

    #[test]
    fn the_demo_kiosk_is_enrolled_with_the_demo_key() {
        let e = Enrollments::demo();
        let device = DeviceId::new(DEMO_DEVICE_ID).unwrap();
        assert_eq!(
            e.verify(&device, DEMO_DEVICE_KEY).map(|x| x.store_id.as_str()),
            Some(DEMO_STORE_ID)
        );
    }
}
