//! Notices when the kiosk's network changes (an address comes or goes: a cable, Wi-Fi roaming, a
//! DHCP renewal with a new lease), so live calls can restart ICE on the new path instead of
//! waiting for the old one to time out.

use std::collections::BTreeSet;
use std::net::IpAddr;
use std::time::Duration;

/// The addresses a call could use: every interface's, except loopback and IPv6 link-local.
pub fn usable_addresses() -> BTreeSet<IpAddr> {
    let Ok(addrs) = nix::ifaddrs::getifaddrs() else {
        return BTreeSet::new();
    };
    let found = addrs.filter_map(|a| {
        let sa = a.address?;
        if let Some(v4) = sa.as_sockaddr_in() {
            Some(IpAddr::V4(v4.ip()))
        } else {
            sa.as_sockaddr_in6().map(|v6| IpAddr::V6(v6.ip()))
        }
    });
    usable(found)
}

fn usable(addrs: impl IntoIterator<Item = IpAddr>) -> BTreeSet<IpAddr> {
    addrs
        .into_iter()
        .filter(|ip| match ip {
            IpAddr::V4(v4) => !v4.is_loopback() && !v4.is_unspecified(),
            IpAddr::V6(v6) => {
                !v6.is_loopback() && !v6.is_unspecified() && (v6.segments()[0] & 0xffc0) != 0xfe80
            }
        })
        .collect()
}

/// What changed between two looks at the addresses, if anything.
pub fn changed(before: &BTreeSet<IpAddr>, now: &BTreeSet<IpAddr>) -> Option<String> {
    if before == now {
        return None;
    }
    let gone: Vec<String> = before.difference(now).map(ToString::to_string).collect();
    let new: Vec<String> = now.difference(before).map(ToString::to_string).collect();
    Some(format!("gone [{}], new [{}]", gone.join(", "), new.join(", ")))
}

/// Looks at the addresses every `every` and calls `on_change` with what changed. Runs on the
/// current tokio runtime until the returned handle is dropped or aborted.
pub fn spawn(every: Duration, on_change: impl Fn(String) + Send + 'static) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut last = usable_addresses();
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let now = usable_addresses();
            if let Some(what) = changed(&last, &now) {
                on_change(what);
                last = now;
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(ips: &[&str]) -> BTreeSet<IpAddr> {
        ips.iter().map(|s| s.parse().expect("ip")).collect()
    }

    #[test]
    fn loopback_and_link_local_do_not_count() {
        let found = usable(set(&[
            "127.0.0.1",
            "::1",
            "fe80::1",
            "192.168.1.20",
            "2001:db8::5",
            "0.0.0.0",
        ]));
        assert_eq!(found, set(&["192.168.1.20", "2001:db8::5"]));
    }

    #[test]
    fn a_new_lease_is_a_change_and_the_same_set_is_not() {
        let a = set(&["192.168.1.20"]);
        let b = set(&["192.168.1.21"]);
        assert_eq!(changed(&a, &a), None);
        assert_eq!(
            changed(&a, &b).as_deref(),
            Some("gone [192.168.1.20], new [192.168.1.21]")
        );
        assert!(
            changed(&a, &BTreeSet::new()).is_some(),
            "losing the network is a change"
        );
    }

    #[test]
    fn this_machine_has_a_readable_address_list() {
        // No panic and no loopback in it, whatever the machine has.
        assert!(usable_addresses().iter().all(|ip| !ip.is_loopback()));
    }
}
