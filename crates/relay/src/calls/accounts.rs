//! Stylist and staff accounts: argon2id password hashes, session tokens with an expiry, login throttling.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use atelier_protocol::StoreId;
use atelier_protocol::call::{DisplayName, Role, Secret, Username};

use super::UnixMs;
use super::entropy::{Entropy, TokenHash, random_token, token_hash};

/// What an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountRole {
    /// Answers requests from every store.
    Stylist,
    /// Answers requests from the account's own store only.
    Staff,
}

impl AccountRole {
    /// The role on the wire.
    pub fn role(self) -> Role {
        match self {
            AccountRole::Stylist => Role::Stylist,
            AccountRole::Staff => Role::Staff,
        }
    }
}

/// A stylist or staff member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub username: Username,
    pub display_name: DisplayName,
    pub role: AccountRole,
    /// Required for staff: the store whose requests they answer.
    pub store: Option<StoreId>,
    /// The argon2id hash in PHC string form (`$argon2id$v=19$m=…`), as stored.
    pub password_phc: String,
}

impl Account {
    /// Whether this account may answer a request from `store`.
    pub fn serves(&self, store: &StoreId) -> bool {
        match self.role {
            AccountRole::Stylist => true,
            AccountRole::Staff => self.store.as_ref() == Some(store),
        }
    }
}

/// argon2id cost. Verification reads the cost from the stored hash, so raising it affects new hashes only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordCost {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl PasswordCost {
    /// OWASP's argon2id minimum: 19 MiB, 2 passes, 1 lane (~20–40 ms here).
    pub const STANDARD: PasswordCost = PasswordCost {
        memory_kib: 19 * 1024,
        iterations: 2,
        parallelism: 1,
    };
    /// The cheapest argon2 allows. Tests only.
    pub const MINIMAL: PasswordCost = PasswordCost {
        memory_kib: 8,
        iterations: 1,
        parallelism: 1,
    };
}

/// Account set-up failed.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("argon2 refused the cost parameters: {0}")]
    Cost(argon2::Error),
    #[error("hashing the password failed: {0}")]
    Hash(argon2::password_hash::Error),
    #[error("the stored password hash is not a PHC string")]
    BadStoredHash,
    #[error("bad username: {0}")]
    Username(#[from] atelier_protocol::call::TextError),
    #[error("staff account {0} needs a store")]
    StaffNeedsStore(Username),
}

/// Hashes a password with argon2id and a fresh 16-byte salt.
pub fn hash_password(
    password: &str,
    cost: PasswordCost,
    entropy: &mut dyn Entropy,
) -> Result<String, AccountError> {
    let params =
        Params::new(cost.memory_kib, cost.iterations, cost.parallelism, None).map_err(AccountError::Cost)?;
    let mut salt = [0u8; 16];
    entropy.fill(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(AccountError::Hash)?;
    let hash = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password(password.as_bytes(), &salt)
        .map_err(AccountError::Hash)?;
    Ok(hash.to_string())
}

/// Checks a password against a stored hash; a malformed hash never matches.
pub fn verify_password(phc: &str, password: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|hash| {
        Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok()
    })
}

/// Consecutive failed logins before an account is locked for [`LOCKOUT`].
pub const MAX_FAILED_LOGINS: u32 = 5;
/// How long a locked account refuses logins.
pub const LOCKOUT: Duration = Duration::from_secs(60);

/// Why a login failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginError {
    /// Unknown user or wrong password (deliberately the same).
    BadCredentials,
    /// Too many failures: wait for the lockout to pass.
    Throttled,
}

/// A successful login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// Hand this to the client once; the relay keeps only its hash.
    pub token: Secret,
    pub session: TokenHash,
    pub expires_at: UnixMs,
}

#[derive(Debug, Clone)]
struct SessionRecord {
    username: Username,
    expires_at: UnixMs,
}

#[derive(Debug, Clone, Default)]
struct Failures {
    count: u32,
    locked_until: Option<UnixMs>,
}

/// The accounts and their live session tokens.
#[derive(Debug)]
pub struct Accounts {
    accounts: BTreeMap<Username, Account>,
    sessions: HashMap<TokenHash, SessionRecord>,
    failures: HashMap<Username, Failures>,
    /// Verified against for unknown usernames, so both failures take the same time.
    dummy_phc: String,
}

impl Accounts {
    /// No accounts yet. `cost` should match the stored hashes' (it times the unknown-user path).
    pub fn new(cost: PasswordCost, entropy: &mut dyn Entropy) -> Result<Self, AccountError> {
        Ok(Self {
            accounts: BTreeMap::new(),
            sessions: HashMap::new(),
            failures: HashMap::new(),
            dummy_phc: hash_password("not a password", cost, entropy)?,
        })
    }

    /// For the demo command: stylist `demo-stylist` and staff `demo-staff` (store `demo-sh`), password `demo`.
    pub fn demo(cost: PasswordCost, entropy: &mut dyn Entropy) -> Result<Self, AccountError> {
        let mut accounts = Self::new(cost, entropy)?;
        let demo = [
            ("demo-stylist", "Demo Stylist", AccountRole::Stylist, None),
            ("demo-staff", "Demo Staff", AccountRole::Staff, Some("demo-sh")),
        ];
        for (username, name, role, store) in demo {
            accounts.insert(Account {
                username: Username::new(username)?,
                display_name: DisplayName::clipped(name, "Stylist"),
                role,
                store: store.and_then(|s| StoreId::new(s).ok()),
                password_phc: hash_password("demo", cost, entropy)?,
            })?;
        }
        Ok(accounts)
    }

    /// Adds or replaces an account (replacing ends its sessions).
    pub fn insert(&mut self, account: Account) -> Result<(), AccountError> {
        if account.role == AccountRole::Staff && account.store.is_none() {
            return Err(AccountError::StaffNeedsStore(account.username));
        }
        if PasswordHash::new(&account.password_phc).is_err() {
            return Err(AccountError::BadStoredHash);
        }
        self.revoke_all(&account.username);
        self.accounts.insert(account.username.clone(), account);
        Ok(())
    }

    /// Removes an account and ends its sessions.
    pub fn remove(&mut self, username: &Username) -> Option<Account> {
        self.revoke_all(username);
        self.failures.remove(username);
        self.accounts.remove(username)
    }

    fn revoke_all(&mut self, username: &Username) {
        self.sessions.retain(|_, s| &s.username != username);
    }

    /// An account by name.
    pub fn get(&self, username: &Username) -> Option<&Account> {
        self.accounts.get(username)
    }

    /// Checks a password and opens a session valid for `ttl`.
    pub fn login(
        &mut self,
        username: &Username,
        password: &str,
        now: UnixMs,
        ttl: Duration,
        entropy: &mut dyn Entropy,
    ) -> Result<Grant, LoginError> {
        let Some(account) = self.accounts.get(username) else {
            // Same work as a wrong password, so a stranger cannot tell which names exist.
            let _ = verify_password(&self.dummy_phc, password);
            return Err(LoginError::BadCredentials);
        };
        let failures = self.failures.entry(username.clone()).or_default();
        if failures.locked_until.is_some_and(|until| now < until) {
            return Err(LoginError::Throttled);
        }
        if !verify_password(&account.password_phc, password) {
            failures.count += 1;
            if failures.count >= MAX_FAILED_LOGINS {
                failures.count = 0;
                failures.locked_until = Some(now.plus(LOCKOUT));
            }
            return Err(LoginError::BadCredentials);
        }
        self.failures.remove(username);
        let token = random_token(entropy);
        let session = token_hash(&token);
        let expires_at = now.plus(ttl);
        self.sessions.insert(
            session,
            SessionRecord {
                username: username.clone(),
                expires_at,
            },
        );
        Ok(Grant {
            token: Secret::new(token),
            session,
            expires_at,
        })
    }

    /// The account behind a live session token, with the session's hash and expiry.
    pub fn session(&self, token: &str, now: UnixMs) -> Option<(TokenHash, &Account, UnixMs)> {
        let hash = token_hash(token);
        let record = self.sessions.get(&hash).filter(|s| now < s.expires_at)?;
        let account = self.accounts.get(&record.username)?;
        Some((hash, account, record.expires_at))
    }

    /// Ends one session.
    pub fn logout(&mut self, session: &TokenHash) {
        self.sessions.remove(session);
    }

    /// Forgets expired sessions and lapsed lockouts.
    pub fn purge(&mut self, now: UnixMs) {
        self.sessions.retain(|_, s| now < s.expires_at);
        self.failures
            .retain(|_, f| f.count > 0 || f.locked_until.is_some_and(|until| now < until));
    }

    /// Live sessions (for health pages and tests).
    pub fn session_count(&self) -> usize {
        self.sessions.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calls::entropy::SeededEntropy;

    fn accounts() -> (Accounts, SeededEntropy) {
        let mut e = SeededEntropy::new(3);
        let mut a = Accounts::new(PasswordCost::MINIMAL, &mut e).unwrap();
        a.insert(Account {
            username: Username::new("mei").unwrap(),
            display_name: DisplayName::new("Mei").unwrap(),
            role: AccountRole::Stylist,
            store: None,
            password_phc: hash_password("correct horse", PasswordCost::MINIMAL, &mut e).unwrap(),
        })
        .unwrap();
        (a, e)
    }

    fn mei() -> Username {
        Username::new("mei").unwrap()
    }

    const HOUR: Duration = Duration::from_secs(3600);

    #[test]
    fn hashes_are_argon2id_and_salted() {
        let mut e = SeededEntropy::new(1);
        let a = hash_password("pw", PasswordCost::MINIMAL, &mut e).unwrap();
        let b = hash_password("pw", PasswordCost::MINIMAL, &mut e).unwrap();
        assert!(a.starts_with("$argon2id$v=19$m=8,t=1,p=1$"), "{a}");
        assert_ne!(a, b);
        assert!(verify_password(&a, "pw"));
        assert!(!verify_password(&a, "pW"));
        assert!(!verify_password("not a hash", "pw"));
    }

    #[test]
    fn login_with_the_right_password_opens_a_session() {
        let (mut a, mut e) = accounts();
        let grant = a.login(&mei(), "correct horse", UnixMs(0), HOUR, &mut e).unwrap();
        assert_eq!(grant.token.expose().len(), 43);
        let (session, account, expires) = a.session(grant.token.expose(), UnixMs(1000)).unwrap();
        assert_eq!(session, grant.session);
        assert_eq!(account.username, mei());
        assert_eq!(expires, UnixMs(3_600_000));
    }

    #[test]
    fn wrong_password_and_unknown_user_fail_alike() {
        let (mut a, mut e) = accounts();
        assert_eq!(
            a.login(&mei(), "wrong", UnixMs(0), HOUR, &mut e),
            Err(LoginError::BadCredentials)
        );
        let nobody = Username::new("nobody").unwrap();
        assert_eq!(
            a.login(&nobody, "correct horse", UnixMs(0), HOUR, &mut e),
            Err(LoginError::BadCredentials)
        );
        assert_eq!(a.session_count(), 0);
    }

    #[test]
    fn session_tokens_expire() {
        let (mut a, mut e) = accounts();
        let grant = a.login(&mei(), "correct horse", UnixMs(0), HOUR, &mut e).unwrap();
        assert!(a.session(grant.token.expose(), UnixMs(3_599_999)).is_some());
        assert!(a.session(grant.token.expose(), UnixMs(3_600_000)).is_none());
        a.purge(UnixMs(3_600_000));
        assert_eq!(a.session_count(), 0);
    }

    #[test]
    fn logout_ends_only_that_session() {
        let (mut a, mut e) = accounts();
        let one = a.login(&mei(), "correct horse", UnixMs(0), HOUR, &mut e).unwrap();
        let two = a.login(&mei(), "correct horse", UnixMs(0), HOUR, &mut e).unwrap();
        a.logout(&one.session);
        assert!(a.session(one.token.expose(), UnixMs(1)).is_none());
        assert!(a.session(two.token.expose(), UnixMs(1)).is_some());
    }

    #[test]
    fn five_failures_lock_the_account_for_a_minute() {
        let (mut a, mut e) = accounts();
        for _ in 0..MAX_FAILED_LOGINS {
            assert_eq!(
                a.login(&mei(), "guess", UnixMs(0), HOUR, &mut e),
                Err(LoginError::BadCredentials)
            );
        }
        assert_eq!(
            a.login(&mei(), "correct horse", UnixMs(1), HOUR, &mut e),
            Err(LoginError::Throttled)
        );
        assert!(
            a.login(&mei(), "correct horse", UnixMs(60_000), HOUR, &mut e)
                .is_ok()
        );
    }

    #[test]
    fn staff_need_a_store_and_stored_hashes_must_parse() {
        let (mut a, _) = accounts();
        let mut staff = a.get(&mei()).unwrap().clone();
        staff.role = AccountRole::Staff;
        assert!(matches!(
            a.insert(staff.clone()),
            Err(AccountError::StaffNeedsStore(_))
        ));
        staff.store = Some(StoreId::new("s1").unwrap());
        staff.password_phc = "plain".into();
        assert!(matches!(a.insert(staff), Err(AccountError::BadStoredHash)));
    }

    #[test]
    fn demo_accounts_log_in_with_demo() {
        let mut e = SeededEntropy::new(9);
        let mut a = Accounts::demo(PasswordCost::MINIMAL, &mut e).unwrap();
        let stylist = Username::new("demo-stylist").unwrap();
        assert!(a.login(&stylist, "demo", UnixMs(0), HOUR, &mut e).is_ok());
        let staff = a.get(&Username::new("demo-staff").unwrap()).unwrap();
        assert!(staff.serves(&StoreId::new("demo-sh").unwrap()));
        assert!(!staff.serves(&StoreId::new("elsewhere").unwrap()));
    }
}
