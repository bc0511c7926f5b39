//! Screen power on the real kiosk: with nobody in front of a still camera it sleeps after
//! `[power] sleep_after_secs` (the page goes black: a mirror), and a touch wakes it.

use std::time::Duration;

use atelier_tests::kiosk::Kiosk;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_screen_sleeps_when_nobody_is_there_and_a_touch_wakes_it() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    std::fs::write(
        dir.path().join("atelier.toml"),
        "[ui]\nlanguage = \"en\"\n\n[power]\nsleep_after_secs = 10\n",
    )?;
    // The test pattern does not move: nobody is there.
    let kiosk = Kiosk::launch_with_env(
        dir.path(),
        &["--demo"],
        &[("ATELIER_DEMO_CAMERA", std::ffi::OsStr::new("test"))],
    )
    .await?;
    let result = async {
        kiosk
            .present("[data-testid=start-button]", Duration::from_secs(20))
            .await?;
        // On the X screen's pixels: the picture shows through the top of the page…
        let (top, band) = (0.03, 0.18);
        kiosk
            .wait_brightness(top, band, |b| b > 20.0, Duration::from_secs(10))
            .await?;
        let slept = kiosk
            .wait_attr("html", "data-power", "asleep", Duration::from_secs(25))
            .await?;
        eprintln!("asleep after {:.1} s of waiting", slept.as_secs_f64());
        // …asleep, the glass is black (the picture hidden, its preview held)…
        kiosk
            .wait_brightness(top, band, |b| b < 3.0, Duration::from_secs(5))
            .await?;
        // A touch anywhere wakes it, and only wakes it (no session starts).
        kiosk.click("body").await?;
        kiosk
            .wait_attr("html", "data-power", "awake", Duration::from_secs(5))
            .await?;
        kiosk
            .present("[data-testid=attract-screen]", Duration::from_secs(2))
            .await?;
        // …and awake, the picture is back.
        kiosk
            .wait_brightness(top, band, |b| b > 20.0, Duration::from_secs(10))
            .await?;
        anyhow::Ok(())
    }
    .await;
    kiosk.close().await?;
    result
}
