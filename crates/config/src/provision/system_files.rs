//! The system files of the kiosk session: its user, PAM service, unit, udev rule and profile record.

use super::*;

pub(super) const PAM_SERVICE: &str = "\
# Written by `atelier provision`: the session atelier-kiosk.service opens for the kiosk user.
# systemd never runs the auth stack for a unit's PAMName=, so no password is asked; the account
# and session stacks register the session with logind, which gives it the seat (DRM, input).
account  include  common-account
session  include  common-session
";

pub(super) fn sysusers(opts: &ProvisionOptions) -> String {
    let u = &opts.user;
    format!(
        "# Written by `atelier provision`: the kiosk's system user (systemd-sysusers creates it at boot).\n\
         u {u} - \"Atelier kiosk\" {home} /usr/sbin/nologin\n\
         m {u} video\n\
         m {u} audio\n\
         m {u} render\n\
         m {u} input\n",
        home = opts.data_dir
    )
}

/// The kiosk session unit.
pub(super) fn unit(profile: &HardwareProfile, opts: &ProvisionOptions) -> String {
    let tty = opts.tty;
    let state_dir = opts
        .data_dir
        .strip_prefix("/var/lib/")
        .filter(|rest| !rest.is_empty())
        .map(|rest| {
            format!(
                "# systemd creates {} and hands it (and atelier.toml in it) to the kiosk user.\nStateDirectory={rest}\n",
                opts.data_dir
            )
        })
        .unwrap_or_default();
    let watchdog = match opts.watchdog_secs {
        Some(secs) => format!(
            "# atelier sends READY=1 once its window is up and WATCHDOG=1 from its UI thread; it is cage's\n\
             # child, hence NotifyAccess=all. A frozen UI is killed and restarted after {secs} s.\n\
             Type=notify\nNotifyAccess=all\nWatchdogSec={secs}\nTimeoutStartSec=120\n"
        ),
        None => {
            "# No WatchdogSec=: this atelier build sends no sd_notify pings, and a watchdog nobody feeds\n\
                 # would kill a healthy kiosk every period. A crash or exit still restarts it (below).\n\
                 Type=simple\n"
                .to_owned()
        }
    };
    format!(
        "# Written by `atelier provision` (profile {id}); the next provision overwrites it.\n\
         [Unit]\n\
         Description=Atelier fitting-room kiosk in the cage Wayland compositor on tty{tty}\n\
         After=systemd-user-sessions.service plymouth-quit-wait.service systemd-logind.service network-online.target\n\
         Wants=network-online.target systemd-logind.service\n\
         ConditionPathExists=/dev/tty{tty}\n\
         # Never stop retrying: a console where the mirror should be is worse than a retry every few seconds.\n\
         StartLimitIntervalSec=0\n\
         \n\
         [Service]\n\
         {watchdog}\
         User={user}\n\
         # The session and the seat, in place of a getty or display-manager autologin.\n\
         PAMName=atelier-kiosk\n\
         TTYPath=/dev/tty{tty}\n\
         TTYReset=yes\n\
         TTYVHangup=yes\n\
         TTYVTDisallocate=yes\n\
         StandardInput=tty-fail\n\
         StandardOutput=journal\n\
         StandardError=journal\n\
         UtmpIdentifier=tty{tty}\n\
         UtmpMode=user\n\
         {state_dir}\
         Environment=XDG_SESSION_TYPE=wayland\n\
         # -d: no window decorations. `--` ends cage's options, so atelier's are its own.\n\
         ExecStart={cage} -d -- {app} --data-dir {data}\n\
         # Restart=always, not on-failure: a kiosk that stops for any reason (a clean exit included,\n\
         # whatever exit status cage passes on) must come back.\n\
         Restart=always\n\
         RestartSec=3\n\
         \n\
         [Install]\n\
         WantedBy=multi-user.target\n",
        id = profile.id,
        user = opts.user,
        cage = opts.cage_path,
        app = opts.app_path,
        data = opts.data_dir,
    )
}

pub(super) fn udev_rules(profile: &HardwareProfile, usb_id: &str) -> String {
    let (vendor, product) = usb_id.split_once(':').unwrap_or((usb_id, ""));
    format!(
        "# Written by `atelier provision` for profile {id}: the camera '{model}' ({usb_id}).\n\
         # Its capture node (index 0; UVC cameras add a metadata node) gets a stable name, whatever\n\
         # the port or the order devices appeared in, and only root and the video group may open it.\n\
         SUBSYSTEM==\"video4linux\", KERNEL==\"video*\", ATTR{{index}}==\"0\", ATTRS{{idVendor}}==\"{vendor}\", ATTRS{{idProduct}}==\"{product}\", SYMLINK+=\"{link}\", GROUP=\"video\", MODE=\"0660\"\n\
         # USB autosuspend makes webcams drop out after idle periods: keep this one powered.\n\
         ACTION==\"add\", SUBSYSTEM==\"usb\", ATTR{{idVendor}}==\"{vendor}\", ATTR{{idProduct}}==\"{product}\", TEST==\"power/control\", ATTR{{power/control}}=\"on\"\n",
        id = profile.id,
        model = profile.camera.model,
        link = CAMERA_SYMLINK.trim_start_matches("/dev/"),
    )
}

pub(super) fn profile_record(profile: &HardwareProfile, text: &str, opts: &ProvisionOptions) -> String {
    let mut out = format!(
        "# Hardware profile `{}` applied by `atelier provision`",
        profile.id
    );
    if !opts.provisioned_at.is_empty() {
        out.push_str(&format!(" on {}", opts.provisioned_at));
    }
    if !opts.profile_source.is_empty() {
        out.push_str(&format!(" from {}", opts.profile_source));
    }
    out.push_str(".\n");
    out.push_str(text);
    if !text.ends_with('\n') {
        out.push('\n');
    }
    out
}
