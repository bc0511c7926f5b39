//! The call core's accounts and enrolled kiosks in the relay's SQLite (`call_accounts`,
//! `kiosk_enrollments`, migration 3). Only hashes are stored: argon2id PHC strings and device keys' SHA-256.

use std::time::{SystemTime, UNIX_EPOCH};

use atelier_protocol::call::{DisplayName, Username};
use atelier_protocol::{DeviceId, RoomName, StoreId};
use rusqlite::{Connection, OptionalExtension as _, params};

use crate::calls::{Account, AccountRole, Accounts, Enrollment, Enrollments, TokenHash};

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// The role as stored.
pub fn role_name(role: AccountRole) -> &'static str {
    match role {
        AccountRole::Stylist => "stylist",
        AccountRole::Staff => "staff",
    }
}

/// A stored role, if known.
pub fn parse_role(text: &str) -> Option<AccountRole> {
    match text {
        "stylist" => Some(AccountRole::Stylist),
        "staff" => Some(AccountRole::Staff),
        _ => None,
    }
}

/// Adds or replaces an account.
pub fn save_account(db: &Connection, account: &Account) -> rusqlite::Result<()> {
    let now = unix_now();
    db.execute(
        "INSERT INTO call_accounts (username, role, store_id, display_name, password_phc, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
         ON CONFLICT(username) DO UPDATE SET role = excluded.role, store_id = excluded.store_id,
             display_name = excluded.display_name, password_phc = excluded.password_phc,
             updated_at = excluded.updated_at",
        params![
            account.username.as_str(),
            role_name(account.role),
            account.store.as_ref().map(StoreId::as_str),
            account.display_name.as_str(),
            account.password_phc,
            now
        ],
    )?;
    Ok(())
}

/// Removes an account; `false` if there was none.
pub fn remove_account(db: &Connection, username: &Username) -> rusqlite::Result<bool> {
    Ok(db.execute(
        "DELETE FROM call_accounts WHERE username = ?1",
        [username.as_str()],
    )? > 0)
}

/// An account as listed (no hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSummary {
    pub username: String,
    pub role: String,
    pub store_id: Option<String>,
    pub display_name: String,
}

/// The stored accounts by name, without their hashes.
pub fn list_accounts(db: &Connection) -> rusqlite::Result<Vec<AccountSummary>> {
    let mut stmt =
        db.prepare("SELECT username, role, store_id, display_name FROM call_accounts ORDER BY username")?;
    let rows = stmt.query_map([], |r| {
        Ok(AccountSummary {
            username: r.get(0)?,
            role: r.get(1)?,
            store_id: r.get(2)?,
            display_name: r.get(3)?,
        })
    })?;
    rows.collect()
}

/// Adds or replaces an enrollment (a re-enrolled kiosk's old key stops working).
pub fn save_enrollment(db: &Connection, enrollment: &Enrollment) -> rusqlite::Result<()> {
    db.execute(
        "INSERT INTO kiosk_enrollments (device_id, store_id, room, key_sha256, enrolled_at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(device_id) DO UPDATE SET store_id = excluded.store_id, room = excluded.room,
             key_sha256 = excluded.key_sha256, enrolled_at = excluded.enrolled_at",
        params![
            enrollment.device_id.as_str(),
            enrollment.store_id.as_str(),
            enrollment.room.as_str(),
            &enrollment.key_hash()[..],
            unix_now()
        ],
    )?;
    Ok(())
}

/// Withdraws a kiosk; `false` if it was not enrolled.
pub fn remove_enrollment(db: &Connection, device: &DeviceId) -> rusqlite::Result<bool> {
    Ok(db.execute(
        "DELETE FROM kiosk_enrollments WHERE device_id = ?1",
        [device.as_str()],
    )? > 0)
}

/// Whether a device is enrolled.
pub fn is_enrolled(db: &Connection, device: &DeviceId) -> rusqlite::Result<bool> {
    Ok(db
        .query_row(
            "SELECT 1 FROM kiosk_enrollments WHERE device_id = ?1",
            [device.as_str()],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// What [`load`] found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Loaded {
    pub accounts: usize,
    pub enrollments: usize,
    /// Rows that could not be used, each with its key and why (never a secret).
    pub skipped: Vec<String>,
}

fn account_from_row(
    username: &str,
    role: &str,
    store: Option<String>,
    name: &str,
    phc: String,
) -> Result<Account, String> {
    let username = Username::new(username).map_err(|e| e.to_string())?;
    let role = parse_role(role).ok_or_else(|| format!("unknown role {role:?}"))?;
    let store = store.map(StoreId::new).transpose().map_err(|e| e.to_string())?;
    Ok(Account {
        username,
        display_name: DisplayName::clipped(name, "Stylist"),
        role,
        store,
        password_phc: phc,
    })
}

/// Loads the stored accounts and enrollments into `accounts` and `enrollments` (replacing any of the same
/// name). A bad row is skipped and reported, never fatal.
pub fn load(
    db: &Connection,
    accounts: &mut Accounts,
    enrollments: &mut Enrollments,
) -> rusqlite::Result<Loaded> {
    let mut loaded = Loaded::default();
    let mut stmt =
        db.prepare("SELECT username, role, store_id, display_name, password_phc FROM call_accounts")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<String>>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
        ))
    })?;
    for row in rows {
        let (username, role, store, name, phc) = row?;
        let inserted = account_from_row(&username, &role, store, &name, phc)
            .and_then(|a| accounts.insert(a).map_err(|e| e.to_string()));
        match inserted {
            Ok(()) => loaded.accounts += 1,
            Err(why) => loaded.skipped.push(format!("account {username:?}: {why}")),
        }
    }
    let mut stmt = db.prepare("SELECT device_id, store_id, room, key_sha256 FROM kiosk_enrollments")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Vec<u8>>(3)?,
        ))
    })?;
    for row in rows {
        let (device, store, room, hash) = row?;
        let parsed = (|| -> Result<Enrollment, String> {
            let device = DeviceId::new(device.as_str()).map_err(|e| e.to_string())?;
            let store = StoreId::new(store).map_err(|e| e.to_string())?;
            let room = RoomName::new(room).map_err(|e| e.to_string())?;
            let hash: TokenHash = hash
                .try_into()
                .map_err(|_| "the key hash is not 32 bytes".to_owned())?;
            Ok(Enrollment::from_key_hash(device, store, room, hash))
        })();
        match parsed {
            Ok(e) => {
                enrollments.insert(e);
                loaded.enrollments += 1;
            }
            Err(why) => loaded.skipped.push(format!("kiosk {device:?}: {why}")),
        }
    }
    Ok(loaded)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calls::{PasswordCost, SeededEntropy, hash_password};

    fn db() -> (tempfile::TempDir, Connection) {
        let dir = tempfile::tempdir().unwrap();
        let conn = atelier_store::open(&dir.path().join("r.sqlite"), &crate::RELAY_MIGRATIONS).unwrap();
        (dir, conn)
    }

    #[test]
    fn accounts_and_enrollments_round_trip_and_bad_rows_are_skipped() {
        let (_dir, conn) = db();
        let mut e = SeededEntropy::new(4);
        let account = Account {
            username: Username::new("mei").unwrap(),
            display_name: DisplayName::new("Mei").unwrap(),
            role: AccountRole::Staff,
            store: Some(StoreId::new("s1").unwrap()),
            password_phc: hash_password("pw", PasswordCost::MINIMAL, &mut e).unwrap(),
        };
        save_account(&conn, &account).unwrap();
        save_account(&conn, &account).unwrap(); // an upsert
        let mut enrollments = Enrollments::new();
        let device = DeviceId::new("k1").unwrap();
        let key = enrollments.enroll(
            device.clone(),
            StoreId::new("s1").unwrap(),
            RoomName::new("Room 2").unwrap(),
            &mut e,
        );
        save_enrollment(&conn, enrollments.get(&device).unwrap()).unwrap();
        assert!(is_enrolled(&conn, &device).unwrap());
        conn.execute(
            "INSERT INTO call_accounts VALUES ('bad', 'staff', NULL, 'x', 'not-phc', 0, 0)",
            [],
        )
        .unwrap();

        let mut accounts = Accounts::new(PasswordCost::MINIMAL, &mut e).unwrap();
        let mut loaded_enrollments = Enrollments::new();
        let loaded = load(&conn, &mut accounts, &mut loaded_enrollments).unwrap();
        assert_eq!((loaded.accounts, loaded.enrollments), (1, 1));
        assert_eq!(loaded.skipped.len(), 1, "{:?}", loaded.skipped);
        assert_eq!(accounts.get(&account.username), Some(&account));
        assert!(loaded_enrollments.verify(&device, key.expose()).is_some());
        assert_eq!(list_accounts(&conn).unwrap().len(), 2);
        assert!(remove_account(&conn, &account.username).unwrap());
        assert!(!remove_account(&conn, &account.username).unwrap());
        assert!(remove_enrollment(&conn, &device).unwrap());
    }
}
