//! Harness for cross-process scenarios: the real `atelier` and `atelier-relay` binaries, a real
//! tauri-driver + WebKitWebDriver, real sockets on 127.0.0.1.
//!
//! The binaries must be built first (`cargo build --workspace --bins`; `scripts/test.sh` does it),
//! and the tests need an X display (`scripts/test.sh` runs them under Xvfb).

pub mod catalog_gen;
pub mod kiosk;
pub mod process;
pub mod rng;
pub mod tag_image;

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

/// The directory holding the workspace's built binaries (`target/debug`).
pub fn bin_dir() -> anyhow::Result<PathBuf> {
    if let Some(dir) = std::env::var_os("ATELIER_BIN_DIR") {
        return Ok(PathBuf::from(dir));
    }
    // Tests run from target/<profile>/deps/<name>-<hash>.
    let exe = std::env::current_exe().context("locating the test binary")?;
    exe.parent()
        .and_then(|deps| deps.parent())
        .map(PathBuf::from)
        .context("the test binary is not inside a cargo target dir")
}

/// The path of one workspace binary, with a clear message when it was not built.
pub fn binary(name: &str) -> anyhow::Result<PathBuf> {
    let path = bin_dir()?.join(name);
    if !path.is_file() {
        bail!(
            "{} is missing: run `cargo build --workspace --bins` first (scripts/test.sh does)",
            path.display()
        );
    }
    Ok(path)
}

/// A TCP port free at the time of asking.
pub fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Waits until something accepts TCP connections on `addr`.
pub fn wait_for_port(addr: SocketAddr, timeout: Duration) -> anyhow::Result<()> {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    bail!("nothing listened on {addr} within {timeout:?}")
}

/// A plain HTTP GET on loopback, returning the status line and body.
pub fn http_get(addr: SocketAddr, path: &str) -> anyhow::Result<(String, String)> {
    use std::io::{Read, Write};
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    s.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )?;
    let mut text = String::new();
    s.read_to_string(&mut text)?;
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    Ok((
        head.lines().next().unwrap_or_default().to_owned(),
        body.to_owned(),
    ))
}
