//! Friend invites: single-use, bound to one kiosk's shopper session, valid for ten minutes.
//!
//! Each invite has a long token (in the QR link) and a short code (typed by hand); either redeems it,
//! once. Used, revoked and expired invites are kept as tombstones for an hour past their expiry so a
//! second attempt is told why, then forgotten.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::Duration;

use atelier_protocol::DeviceId;
use atelier_protocol::call::{InviteId, SessionTag};

use super::UnixMs;
use super::entropy::{Entropy, TokenHash, normalise_code, random_token, short_code, token_hash};

/// How long an invite may be redeemed.
pub const INVITE_TTL: Duration = Duration::from_secs(10 * 60);
/// Open invites one kiosk may hold; a new one beyond this revokes the oldest.
pub const MAX_OPEN_PER_KIOSK: usize = 5;
/// Failed short codes accepted relay-wide per minute before codes are refused for a while.
pub const MAX_CODE_FAILURES_PER_MIN: usize = 30;
const TOMBSTONE: Duration = Duration::from_secs(3600);
const MINUTE: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Open,
    Used,
    /// Revoked by the kiosk, or its session ended.
    Revoked,
}

/// One invite.
#[derive(Debug, Clone)]
pub struct Invite {
    pub id: InviteId,
    pub device: DeviceId,
    pub session: SessionTag,
    pub expires_at: UnixMs,
    code: String,
    token: TokenHash,
    state: State,
}

/// A new invite's secrets, shown once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInvite {
    pub id: InviteId,
    pub token: String,
    pub code: String,
    pub expires_at: UnixMs,
}

/// Why an invite was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedeemError {
    Unknown,
    Used,
    /// Past its time, revoked, or its session ended.
    Expired,
    /// Too many wrong codes relay-wide: codes are refused for a minute (tokens still work).
    Throttled,
}

/// All invites.
#[derive(Debug)]
pub struct Invites {
    ttl: Duration,
    next_id: u64,
    by_id: BTreeMap<InviteId, Invite>,
    by_token: HashMap<TokenHash, InviteId>,
    by_code: HashMap<String, InviteId>,
    code_failures: VecDeque<UnixMs>,
}

impl Invites {
    /// Invites that expire `ttl` after creation.
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            next_id: 1,
            by_id: BTreeMap::new(),
            by_token: HashMap::new(),
            by_code: HashMap::new(),
            code_failures: VecDeque::new(),
        }
    }

    /// A new invite for `device`'s shopper `session`.
    pub fn create(
        &mut self,
        device: &DeviceId,
        session: &SessionTag,
        now: UnixMs,
        entropy: &mut dyn Entropy,
    ) -> NewInvite {
        let open: Vec<InviteId> = self
            .by_id
            .values()
            .filter(|i| &i.device == device && i.state == State::Open && now < i.expires_at)
            .map(|i| i.id)
            .collect();
        if open.len() >= MAX_OPEN_PER_KIOSK {
            for id in &open[..=open.len() - MAX_OPEN_PER_KIOSK] {
                self.set_state(*id, State::Revoked);
            }
        }
        let token = random_token(entropy);
        let code = loop {
            let code = short_code(entropy);
            if !self.by_code.contains_key(&code) {
                break code;
            }
        };
        let id = InviteId(self.next_id);
        self.next_id += 1;
        let invite = Invite {
            id,
            device: device.clone(),
            session: session.clone(),
            expires_at: now.plus(self.ttl),
            code: code.clone(),
            token: token_hash(&token),
            state: State::Open,
        };
        self.by_token.insert(invite.token, id);
        self.by_code.insert(code.clone(), id);
        let expires_at = invite.expires_at;
        self.by_id.insert(id, invite);
        NewInvite {
            id,
            token,
            code,
            expires_at,
        }
    }

    /// The open invite that `presented` (a token or a code) names, without using it up.
    pub fn check(&mut self, presented: &str, now: UnixMs) -> Result<&Invite, RedeemError> {
        let id = match normalise_code(presented) {
            Some(code) => {
                while self
                    .code_failures
                    .front()
                    .is_some_and(|t| now.since(*t) >= MINUTE)
                {
                    self.code_failures.pop_front();
                }
                if self.code_failures.len() >= MAX_CODE_FAILURES_PER_MIN {
                    return Err(RedeemError::Throttled);
                }
                match self.by_code.get(&code) {
                    Some(id) => *id,
                    None => {
                        self.code_failures.push_back(now);
                        return Err(RedeemError::Unknown);
                    }
                }
            }
            None => *self
                .by_token
                .get(&token_hash(presented))
                .ok_or(RedeemError::Unknown)?,
        };
        let invite = self.by_id.get(&id).ok_or(RedeemError::Unknown)?;
        match invite.state {
            State::Used => Err(RedeemError::Used),
            State::Revoked => Err(RedeemError::Expired),
            State::Open if now >= invite.expires_at => Err(RedeemError::Expired),
            State::Open => Ok(invite),
        }
    }

    /// Uses an invite up: neither its token nor its code works again.
    pub fn consume(&mut self, id: InviteId) {
        self.set_state(id, State::Used);
    }

    fn set_state(&mut self, id: InviteId, state: State) {
        if let Some(invite) = self.by_id.get_mut(&id) {
            invite.state = state;
        }
    }

    /// Revokes one of `device`'s invites; `false` if it has no such invite.
    pub fn revoke(&mut self, device: &DeviceId, id: InviteId) -> bool {
        match self.by_id.get_mut(&id) {
            Some(invite) if &invite.device == device => {
                if invite.state == State::Open {
                    invite.state = State::Revoked;
                }
                true
            }
            _ => false,
        }
    }

    /// Revokes every open invite of `device` (its shopper session ended).
    pub fn revoke_device(&mut self, device: &DeviceId) {
        for invite in self.by_id.values_mut() {
            if &invite.device == device && invite.state == State::Open {
                invite.state = State::Revoked;
            }
        }
    }

    /// Forgets tombstones an hour past their expiry.
    pub fn purge(&mut self, now: UnixMs) {
        let gone: Vec<InviteId> = self
            .by_id
            .values()
            .filter(|i| now >= i.expires_at.plus(TOMBSTONE))
            .map(|i| i.id)
            .collect();
        for id in gone {
            if let Some(invite) = self.by_id.remove(&id) {
                self.by_token.remove(&invite.token);
                self.by_code.remove(&invite.code);
            }
        }
    }

    /// No invites held.
    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calls::entropy::SeededEntropy;

    fn setup() -> (Invites, SeededEntropy, DeviceId, SessionTag) {
        (
            Invites::new(INVITE_TTL),
            SeededEntropy::new(11),
            DeviceId::new("k1").unwrap(),
            SessionTag::new("s-1").unwrap(),
        )
    }

    #[test]
    fn token_works_once() {
        let (mut inv, mut e, k, s) = setup();
        let new = inv.create(&k, &s, UnixMs(0), &mut e);
        let id = inv.check(&new.token, UnixMs(1)).unwrap().id;
        inv.consume(id);
        assert_eq!(inv.check(&new.token, UnixMs(2)).err(), Some(RedeemError::Used));
        assert_eq!(inv.check(&new.code, UnixMs(2)).err(), Some(RedeemError::Used));
    }

    #[test]
    fn expires_after_ten_minutes() {
        let (mut inv, mut e, k, s) = setup();
        let new = inv.create(&k, &s, UnixMs(0), &mut e);
        assert!(inv.check(&new.code, UnixMs(599_999)).is_ok());
        assert_eq!(
            inv.check(&new.code, UnixMs(601_000)).err(),
            Some(RedeemError::Expired)
        );
        inv.purge(UnixMs(600_000 + 3_600_000));
        assert_eq!(
            inv.check(&new.token, UnixMs(601_000)).err(),
            Some(RedeemError::Unknown)
        );
        assert!(inv.is_empty());
    }

    #[test]
    fn revoked_invites_read_as_expired() {
        let (mut inv, mut e, k, s) = setup();
        let a = inv.create(&k, &s, UnixMs(0), &mut e);
        let b = inv.create(&k, &s, UnixMs(0), &mut e);
        assert!(!inv.revoke(&DeviceId::new("other").unwrap(), a.id));
        assert!(inv.revoke(&k, a.id));
        assert_eq!(inv.check(&a.token, UnixMs(1)).err(), Some(RedeemError::Expired));
        inv.revoke_device(&k);
        assert_eq!(inv.check(&b.code, UnixMs(1)).err(), Some(RedeemError::Expired));
    }

    #[test]
    fn a_kiosk_holds_at_most_five_open_invites() {
        let (mut inv, mut e, k, s) = setup();
        let first = inv.create(&k, &s, UnixMs(0), &mut e);
        for _ in 0..MAX_OPEN_PER_KIOSK {
            inv.create(&k, &s, UnixMs(0), &mut e);
        }
        assert_eq!(
            inv.check(&first.token, UnixMs(1)).err(),
            Some(RedeemError::Expired)
        );
    }

    #[test]
    fn guessing_codes_is_throttled_relay_wide() {
        let (mut inv, mut e, k, s) = setup();
        let new = inv.create(&k, &s, UnixMs(0), &mut e);
        let wrong = if new.code == "222222" { "333333" } else { "222222" };
        for _ in 0..MAX_CODE_FAILURES_PER_MIN {
            assert_eq!(inv.check(wrong, UnixMs(0)).err(), Some(RedeemError::Unknown));
        }
        assert_eq!(
            inv.check(&new.code, UnixMs(1)).err(),
            Some(RedeemError::Throttled)
        );
        assert!(inv.check(&new.token, UnixMs(1)).is_ok());
        assert!(inv.check(&new.code, UnixMs(60_000)).is_ok());
    }
}
