//! systemd's notify protocol, for the kiosk unit `atelier provision` writes (`Type=notify`,
//! `WatchdogSec=`): `READY=1` once the first screen is interactive, then `WATCHDOG=1` from the UI
//! thread's main loop, so a frozen UI (not just a dead process) gets the kiosk restarted.
//!
//! The app runs as cage's child, so the unit says `NotifyAccess=all`, and `WATCHDOG_PID` (cage's)
//! is not ours: it is not checked. Without `NOTIFY_SOCKET` (not under systemd) nothing is sent.

use std::os::unix::net::UnixDatagram;
use std::time::Duration;

/// Sends `msg` to the notify socket at `path` (`@name` for the abstract namespace).
pub fn send_to(path: &str, msg: &str) -> std::io::Result<()> {
    let socket = UnixDatagram::unbound()?;
    if let Some(name) = path.strip_prefix('@') {
        use std::os::linux::net::SocketAddrExt;
        let addr = std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes())?;
        socket.send_to_addr(msg.as_bytes(), &addr)?;
    } else {
        socket.send_to(msg.as_bytes(), path)?;
    }
    Ok(())
}

/// Tells systemd, when the kiosk runs under it; a failure is logged, never fatal.
pub fn notify(msg: &str) {
    let Some(path) = std::env::var_os("NOTIFY_SOCKET") else {
        return;
    };
    if let Err(e) = send_to(&path.to_string_lossy(), msg) {
        tracing::warn!(error = %e, msg, "sd_notify failed");
    }
}

/// How often to ping: half the unit's `WatchdogSec=`, when it set one.
pub fn watchdog_period() -> Option<Duration> {
    let usec: u64 = std::env::var("WATCHDOG_USEC").ok()?.parse().ok()?;
    (usec > 0).then(|| Duration::from_micros(usec / 2))
}

/// Pings the watchdog from the GTK main loop (call on the main thread, at start-up).
#[cfg(target_os = "linux")]
pub fn start_watchdog() {
    let Some(period) = watchdog_period() else {
        return;
    };
    tracing::info!(
        period_ms = period.as_millis() as u64,
        "systemd watchdog pings from the UI thread"
    );
    gtk::glib::timeout_add_local(period, || {
        notify("WATCHDOG=1");
        gtk::glib::ControlFlow::Continue
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_reach_a_notify_socket_by_path_and_in_the_abstract_namespace() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notify");
        let server = UnixDatagram::bind(&path).unwrap();
        send_to(path.to_str().unwrap(), "READY=1").unwrap();
        let mut buf = [0u8; 64];
        let n = server.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"READY=1");

        use std::os::linux::net::SocketAddrExt;
        let name = format!("atelier-test-{}", std::process::id());
        let addr = std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes()).unwrap();
        let abstract_server = UnixDatagram::bind_addr(&addr).unwrap();
        send_to(&format!("@{name}"), "WATCHDOG=1").unwrap();
        let n = abstract_server.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"WATCHDOG=1");

        assert!(send_to(dir.path().join("nobody").to_str().unwrap(), "READY=1").is_err());
    }
}
