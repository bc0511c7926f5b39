//! The kiosk under its systemd unit (`Type=notify`, `WatchdogSec=`): it says READY=1 once its
//! first screen is interactive and keeps feeding the watchdog from its UI thread.

use std::os::unix::net::UnixDatagram;
use std::time::{Duration, Instant};

use atelier_tests::kiosk::Kiosk;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_kiosk_tells_systemd_it_is_ready_and_feeds_the_watchdog() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let socket_path = dir.path().join("notify.sock");
    let socket = UnixDatagram::bind(&socket_path)?;
    socket.set_read_timeout(Some(Duration::from_millis(200)))?;
    let kiosk = Kiosk::launch_with_env(
        dir.path(),
        &["--demo"],
        &[
            ("NOTIFY_SOCKET", socket_path.as_os_str()),
            // WatchdogSec=1: pings every half second.
            ("WATCHDOG_USEC", std::ffi::OsStr::new("1000000")),
            ("ATELIER_DEMO_CAMERA", std::ffi::OsStr::new("test")),
        ],
    )
    .await?;
    let result = async {
        kiosk
            .present("[data-testid=start-button]", Duration::from_secs(20))
            .await?;
        let deadline = Instant::now() + Duration::from_secs(10);
        let (mut ready, mut pings) = (false, 0);
        let mut buf = [0u8; 256];
        while Instant::now() < deadline && !(ready && pings >= 3) {
            if let Ok(n) = socket.recv(&mut buf) {
                match &buf[..n] {
                    b"READY=1" => ready = true,
                    b"WATCHDOG=1" => pings += 1,
                    other => anyhow::bail!("unexpected notify message {:?}", String::from_utf8_lossy(other)),
                }
            }
        }
        anyhow::ensure!(ready, "no READY=1");
        anyhow::ensure!(pings >= 3, "only {pings} watchdog pings in 10 s");
        anyhow::Ok(())
    }
    .await;
    kiosk.close().await?;
    result
}
