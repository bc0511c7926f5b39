//! Which GPU render nodes the machine has, for `atelier doctor`, `atelier provision` and the
//! kiosk's start-up log. Without one WebKit composites the transparent page over the camera's
//! picture in software, and lists scroll at well under the display's rate (docs/ARCHITECTURE.md,
//! "Memory and CPU").

use std::path::Path;

use atelier_config::provision::DetectedGpu;

/// Where the kernel puts render nodes and describes them.
pub const DEV_DRI: &str = "/dev/dri";
pub const SYS_DRM: &str = "/sys/class/drm";

/// The render nodes (`renderD*`) under `dev_dri`, sorted, each with its kernel driver (read from
/// `sys_drm/NODE/device/driver`) and whether this process can open it read-write. No `dev_dri` at
/// all is no GPU, not an error.
pub fn detect(dev_dri: &Path, sys_drm: &Path) -> Result<Vec<DetectedGpu>, String> {
    let entries = match std::fs::read_dir(dev_dri) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("{}: {e}", dev_dri.display())),
    };
    let mut found: Vec<DetectedGpu> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let node = entry.file_name().to_str()?.to_owned();
            node.starts_with("renderD").then_some((entry.path(), node))
        })
        .map(|(path, node)| {
            let driver = std::fs::read_link(sys_drm.join(&node).join("device/driver"))
                .ok()
                .and_then(|target| target.file_name()?.to_str().map(str::to_owned));
            let accessible = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open(&path)
                .is_ok();
            DetectedGpu {
                node,
                driver,
                accessible,
            }
        })
        .collect();
    found.sort_by(|a, b| a.node.cmp(&b.node));
    Ok(found)
}

/// [`detect`] on this machine.
pub fn detect_here() -> Result<Vec<DetectedGpu>, String> {
    detect(Path::new(DEV_DRI), Path::new(SYS_DRM))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_render_nodes_with_their_driver_and_access() {
        let dir = tempfile::tempdir().unwrap();
        let (dev, sys) = (dir.path().join("dri"), dir.path().join("drm"));
        std::fs::create_dir_all(&dev).unwrap();
        // A card node is not a render node; a render node that cannot be opened read-write (here a
        // directory, which even root cannot open so) is found but not accessible.
        std::fs::write(dev.join("card0"), b"").unwrap();
        std::fs::write(dev.join("renderD129"), b"").unwrap();
        std::fs::create_dir(dev.join("renderD128")).unwrap();
        std::fs::create_dir_all(sys.join("renderD129/device")).unwrap();
        std::os::unix::fs::symlink(
            "../../../bus/platform/drivers/panfrost",
            sys.join("renderD129/device/driver"),
        )
        .unwrap();

        let found = detect(&dev, &sys).unwrap();
        assert_eq!(
            found,
            [
                DetectedGpu {
                    node: "renderD128".into(),
                    driver: None,
                    accessible: false
                },
                DetectedGpu {
                    node: "renderD129".into(),
                    driver: Some("panfrost".into()),
                    accessible: true
                },
            ]
        );
    }

    #[test]
    fn no_dri_directory_is_no_gpu() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(detect(&dir.path().join("absent"), dir.path()), Ok(vec![]));
        // A file where the directory should be cannot be read: an error, not "no GPU".
        std::fs::write(dir.path().join("dri"), b"").unwrap();
        assert!(detect(&dir.path().join("dri"), dir.path()).is_err());
    }
}
