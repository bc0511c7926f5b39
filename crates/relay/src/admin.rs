//! The admin commands on the relay's database: call accounts and kiosk enrollment.

use std::io::{BufRead as _, IsTerminal as _};
use std::path::Path;

use anyhow::{Context, bail};
use atelier_protocol::call::{DisplayName, MAX_SECRET_BYTES, Username};
use atelier_protocol::{DeviceId, RoomName, StoreId};
use atelier_relay::call_db;
use atelier_relay::calls::{Account, AccountRole, Enrollments, OsEntropy, PasswordCost, hash_password};

use crate::{AccountAction, RoleArg};

/// The shortest password `account add` takes.
const MIN_PASSWORD_CHARS: usize = 8;

fn open(data_dir: &Path) -> anyhow::Result<rusqlite::Connection> {
    Ok(atelier_store::open(
        &data_dir.join(atelier_relay::RELAY_DB_FILE),
        &atelier_relay::RELAY_MIGRATIONS,
    )?)
}

#[allow(clippy::print_stderr)] // the prompt
fn read_password(quiet: bool) -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    if !quiet && stdin.is_terminal() {
        eprint!("Password (echoed as typed; pipe it in with --password-stdin to avoid that): ");
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .context("reading the password from stdin")?;
    let password = line.trim_end_matches(['\n', '\r']).to_owned();
    if password.chars().count() < MIN_PASSWORD_CHARS {
        bail!("the password must have at least {MIN_PASSWORD_CHARS} characters");
    }
    if password.len() > MAX_SECRET_BYTES {
        bail!("the password must be at most {MAX_SECRET_BYTES} bytes");
    }
    if password.chars().any(char::is_control) {
        bail!("the password must not contain control characters");
    }
    Ok(password)
}

#[allow(clippy::print_stdout)] // a command-line tool's output is its product
pub(crate) fn account(data_dir: &Path, action: &AccountAction) -> anyhow::Result<()> {
    let db = open(data_dir)?;
    match action {
        AccountAction::Add {
            username,
            role,
            store,
            name,
            password_stdin,
        } => {
            let username = Username::new(username.as_str()).context("--username")?;
            let role = match role {
                RoleArg::Stylist => AccountRole::Stylist,
                RoleArg::Staff => AccountRole::Staff,
            };
            let store = store
                .as_deref()
                .map(StoreId::new)
                .transpose()
                .context("--store")?;
            if role == AccountRole::Staff && store.is_none() {
                bail!("a staff account needs --store");
            }
            let display_name = DisplayName::new(name.as_str()).context("--name")?;
            let password = read_password(*password_stdin)?;
            let password_phc = hash_password(&password, PasswordCost::STANDARD, &mut OsEntropy)?;
            let account = Account {
                username,
                display_name,
                role,
                store,
                password_phc,
            };
            call_db::save_account(&db, &account)?;
            println!(
                "account {} ({}{}) saved; restart the relay to use it",
                account.username,
                call_db::role_name(account.role),
                account
                    .store
                    .as_ref()
                    .map(|s| format!(", store {s}"))
                    .unwrap_or_default()
            );
        }
        AccountAction::Remove { username } => {
            let username = Username::new(username.as_str()).context("--username")?;
            if !call_db::remove_account(&db, &username)? {
                bail!("no account {username}");
            }
            println!("account {username} removed; restart the relay to end its sessions");
        }
        AccountAction::List => {
            for a in call_db::list_accounts(&db)? {
                println!(
                    "{}\t{}\t{}\t{}",
                    a.username,
                    a.role,
                    a.store_id.as_deref().unwrap_or("-"),
                    a.display_name
                );
            }
        }
    }
    Ok(())
}

#[allow(clippy::print_stdout, clippy::print_stderr)] // a command-line tool's output is its product
pub(crate) fn enroll(data_dir: &Path, device: &str, store: &str, room: &str) -> anyhow::Result<()> {
    let device = DeviceId::new(device).context("--device")?;
    let store = StoreId::new(store).context("--store")?;
    let room = RoomName::new(room).context("--room")?;
    let db = open(data_dir)?;
    if call_db::is_enrolled(&db, &device)? {
        eprintln!("{device} was enrolled already: its old key stops working when the relay restarts");
    }
    let mut enrollments = Enrollments::new();
    let key = enrollments.enroll(device.clone(), store, room, &mut OsEntropy);
    let enrollment = enrollments
        .get(&device)
        .context("the enrollment just made is missing")?;
    call_db::save_enrollment(&db, enrollment)?;
    println!(
        "enrolled {device} in {} ({})",
        enrollment.store_id, enrollment.room
    );
    println!("device key (shown once; give it to the kiosk, the relay keeps only its hash):");
    println!("{}", key.expose());
    Ok(())
}
