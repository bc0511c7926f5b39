//! Calls and their legs: starting and ending legs, relaying signals within a leg, hanging up,
//! reconnecting within the grace period, and handing a leg to a colleague.

use std::collections::BTreeSet;

use atelier_protocol::call::{
    CallErrorCode, CallId, DisplayName, IceServer, LegEndReason, LegId, Member, PeerInfo, RequestView, Role,
    ServerMessage, Signal, TransferFailReason, TransferId, Username,
};
use atelier_protocol::{ConnectionId, DeviceId};

use super::core::{Call, CallCore, Leg, Out, Remote, Transfer, Who};
use super::turn::ice_servers;
use super::{CallEvent, CloseReason, RemoteRef, UnixMs};

impl CallCore {
    /// The kiosk's call, created if it has none.
    pub(super) fn ensure_call(&mut self, device: &DeviceId) -> CallId {
        if let Some(call) = self.kiosks.get(device).and_then(|k| k.call) {
            return call;
        }
        let call = CallId(self.next_id());
        self.calls.insert(
            call,
            Call {
                device: device.clone(),
                legs: BTreeSet::new(),
                last_members: None,
            },
        );
        if let Some(k) = self.kiosks.get_mut(device) {
            k.call = Some(call);
        }
        call
    }

    pub(super) fn new_leg(&mut self, call: CallId, remote: Remote, request: Option<RequestView>) -> LegId {
        let leg = LegId(self.next_id());
        self.legs.insert(
            leg,
            Leg {
                call,
                remote,
                request,
            },
        );
        if let Some(c) = self.calls.get_mut(&call) {
            c.legs.insert(leg);
        }
        leg
    }

    /// Remotes in a call (0 without one).
    pub(super) fn remotes_in(&self, call: Option<CallId>) -> usize {
        call.and_then(|c| self.calls.get(&c)).map_or(0, |c| c.legs.len())
    }

    pub(super) fn kiosk_conn(&self, device: &DeviceId) -> Option<ConnectionId> {
        self.kiosks.get(device).and_then(|k| k.conn)
    }

    pub(super) fn remote_conn(&self, leg: &Leg) -> Option<ConnectionId> {
        match &leg.remote {
            Remote::Account(u) => self.answerers.get(u).and_then(|a| a.conn),
            Remote::Friend { conn, .. } => *conn,
        }
    }

    fn remote_info(&self, leg: &Leg) -> PeerInfo {
        match &leg.remote {
            Remote::Account(u) => self.account_info(u),
            Remote::Friend { name, .. } => PeerInfo {
                role: Role::Friend,
                display_name: name.clone(),
            },
        }
    }

    pub(super) fn account_info(&self, username: &Username) -> PeerInfo {
        match self.accounts.get(username) {
            Some(a) => PeerInfo {
                role: a.role.role(),
                display_name: a.display_name.clone(),
            },
            None => PeerInfo {
                role: Role::Stylist,
                display_name: DisplayName::clipped(username.as_str(), "Stylist"),
            },
        }
    }

    fn kiosk_info(&self, device: &DeviceId) -> PeerInfo {
        let room = self.enrollments.get(device).map_or("", |e| e.room.as_str());
        PeerInfo {
            role: Role::Kiosk,
            display_name: DisplayName::clipped(room, "Fitting room"),
        }
    }

    /// ICE servers for one end of a leg; the TURN user label names the call, leg and side only.
    fn ice_for(&self, call: CallId, leg: LegId, side: &str, now: UnixMs) -> Vec<IceServer> {
        ice_servers(&self.config.ice, &format!("{call}-{leg}-{side}"), now)
    }

    fn call_device(&self, call: CallId) -> Option<DeviceId> {
        self.calls.get(&call).map(|c| c.device.clone())
    }

    /// Tells both ends that a leg started, each with its own ICE servers. The kiosk offers.
    pub(super) fn start_leg(&mut self, now: UnixMs, leg_id: LegId, out: &mut Out) {
        let Some(leg) = self.legs.get(&leg_id) else {
            return;
        };
        let call = leg.call;
        let Some(device) = self.call_device(call) else {
            return;
        };
        if let Some(k) = self.kiosk_conn(&device) {
            out.send(
                k,
                ServerMessage::LegStarted {
                    leg: leg_id,
                    call,
                    peer: self.remote_info(leg),
                    offerer: true,
                    ice_servers: self.ice_for(call, leg_id, "k", now),
                    request: None,
                },
            );
        }
        if let Some(r) = self.remote_conn(leg) {
            out.send(
                r,
                ServerMessage::LegStarted {
                    leg: leg_id,
                    call,
                    peer: self.kiosk_info(&device),
                    offerer: false,
                    ice_servers: self.ice_for(call, leg_id, "r", now),
                    request: leg.request.clone(),
                },
            );
        }
        let remote = match &leg.remote {
            Remote::Account(u) => RemoteRef::Account(u.clone()),
            Remote::Friend { .. } => RemoteRef::Friend,
        };
        out.event(CallEvent::LegStarted {
            call,
            leg: leg_id,
            device,
            remote,
        });
    }

    /// A remote is back on `conn`: fresh ICE servers to it (`legResumed`), "rejoined" to the kiosk,
    /// which restarts ICE. When the remote has no peer connection left (`fresh`: a reloaded page, a
    /// new sign-in) it gets the whole `legStarted` again, to build its view and a new connection, and
    /// the kiosk builds a new one too.
    pub(super) fn resume_leg(
        &mut self,
        now: UnixMs,
        conn: ConnectionId,
        leg_id: LegId,
        fresh: bool,
        out: &mut Out,
    ) {
        let Some(leg) = self.legs.get(&leg_id) else {
            return;
        };
        let call = leg.call;
        let ice_servers = self.ice_for(call, leg_id, "r", now);
        let device = self.call_device(call);
        let resumed = match &device {
            Some(device) if fresh => ServerMessage::LegStarted {
                leg: leg_id,
                call,
                peer: self.kiosk_info(device),
                offerer: false,
                ice_servers,
                request: leg.request.clone(),
            },
            _ => ServerMessage::LegResumed {
                leg: leg_id,
                call,
                ice_servers,
            },
        };
        out.send(conn, resumed);
        if let Some(k) = device.and_then(|d| self.kiosk_conn(&d)) {
            out.send(k, ServerMessage::PeerRejoined { leg: leg_id, fresh });
        }
        out.event(CallEvent::PeerRejoined {
            call,
            leg: leg_id,
            conn,
        });
        if let Some(c) = self.calls.get_mut(&call) {
            c.last_members = None;
        }
    }

    /// A remote's socket dropped: the kiosk hears that it is away.
    pub(super) fn peer_away(&mut self, leg_id: LegId, out: &mut Out) {
        let Some(call) = self.legs.get(&leg_id).map(|l| l.call) else {
            return;
        };
        let grace_secs = u32::try_from(self.config.grace.as_secs()).unwrap_or(u32::MAX);
        if let Some(k) = self.call_device(call).and_then(|d| self.kiosk_conn(&d)) {
            out.send(
                k,
                ServerMessage::PeerAway {
                    leg: leg_id,
                    grace_secs,
                },
            );
        }
        out.event(CallEvent::PeerAway { call, leg: leg_id });
    }

    /// Ends a leg: both ends hear why, a friend's socket closes, the call ends with its last leg.
    pub(super) fn end_leg(&mut self, _now: UnixMs, leg_id: LegId, reason: LegEndReason, out: &mut Out) {
        let Some(leg) = self.legs.remove(&leg_id) else {
            return;
        };
        let ended = ServerMessage::LegEnded { leg: leg_id, reason };
        match leg.remote {
            Remote::Account(u) => {
                if let Some(a) = self.answerers.get_mut(&u) {
                    if a.leg == Some(leg_id) {
                        a.leg = None;
                    }
                    if let Some(c) = a.conn {
                        out.send(c, ended.clone());
                    }
                }
            }
            Remote::Friend { resume, conn, .. } => {
                self.guests.remove(&resume);
                if let Some(c) = conn {
                    out.send(c, ended.clone());
                    out.close(c, CloseReason::CallOver);
                    self.conns.remove(&c);
                }
            }
        }
        let offers: Vec<TransferId> = self
            .transfers
            .iter()
            .filter(|(_, t)| t.leg == leg_id)
            .map(|(id, _)| *id)
            .collect();
        for id in offers {
            self.fail_transfer(id, TransferFailReason::Unavailable, out);
        }
        out.event(CallEvent::LegEnded {
            call: leg.call,
            leg: leg_id,
            reason,
        });
        let Some(call) = self.calls.get_mut(&leg.call) else {
            return;
        };
        call.legs.remove(&leg_id);
        let device = call.device.clone();
        let empty = call.legs.is_empty();
        if let Some(k) = self.kiosk_conn(&device) {
            out.send(k, ended);
        }
        if empty {
            self.calls.remove(&leg.call);
            if let Some(k) = self.kiosks.get_mut(&device) {
                k.call = None;
            }
            out.event(CallEvent::CallEnded {
                call: leg.call,
                device,
            });
        }
    }

    /// Ends every leg of the kiosk's call.
    pub(super) fn end_call(&mut self, now: UnixMs, device: &DeviceId, reason: LegEndReason, out: &mut Out) {
        let legs: Vec<LegId> = self
            .kiosks
            .get(device)
            .and_then(|k| k.call)
            .and_then(|c| self.calls.get(&c))
            .map(|c| c.legs.iter().copied().collect())
            .unwrap_or_default();
        for leg in legs {
            self.end_leg(now, leg, reason, out);
        }
    }

    /// Forwards a signal to the other end of `leg`, if the sender is one end of it.
    pub(super) fn relay_signal(
        &mut self,
        conn: ConnectionId,
        who: &Who,
        leg_id: LegId,
        signal: Signal,
        out: &mut Out,
    ) {
        let Some(leg) = self.legs.get(&leg_id) else {
            out.error(conn, CallErrorCode::NotInCall);
            return;
        };
        let Some(device) = self.call_device(leg.call) else {
            out.error(conn, CallErrorCode::NotInCall);
            return;
        };
        let to = match who {
            Who::Kiosk(d) if *d == device => self.remote_conn(leg),
            Who::Account { username, .. } if matches!(&leg.remote, Remote::Account(u) if u == username) => {
                self.kiosk_conn(&device)
            }
            Who::Friend(own) if *own == leg_id => self.kiosk_conn(&device),
            _ => {
                out.error(conn, CallErrorCode::NotInCall);
                return;
            }
        };
        match to {
            Some(to) => out.send(to, ServerMessage::Signal { leg: leg_id, signal }),
            None => out.error(conn, CallErrorCode::PeerAway),
        }
    }

    /// A remote leaves its leg; the kiosk ends one leg or the whole call.
    pub(super) fn hang_up(
        &mut self,
        now: UnixMs,
        conn: ConnectionId,
        who: &Who,
        leg: Option<LegId>,
        out: &mut Out,
    ) {
        let (own, reason) = match who {
            Who::Kiosk(device) => {
                let call = self.kiosks.get(device).and_then(|k| k.call);
                match leg {
                    None => {
                        self.end_call(now, device, LegEndReason::EndedByKiosk, out);
                        return;
                    }
                    Some(l) if call.is_some() && self.legs.get(&l).map(|x| x.call) == call => {
                        (Some(l), LegEndReason::EndedByKiosk)
                    }
                    Some(_) => (None, LegEndReason::EndedByKiosk),
                }
            }
            Who::Account { username, .. } => (
                self.answerers.get(username).and_then(|a| a.leg),
                LegEndReason::HungUp,
            ),
            Who::Friend(l) => (Some(*l), LegEndReason::HungUp),
            Who::Pending => (None, LegEndReason::HungUp),
        };
        match own {
            Some(own) if leg.is_none_or(|l| l == own) => self.end_leg(now, own, reason, out),
            _ => out.error(conn, CallErrorCode::NotInCall),
        }
    }

    /// Offers `leg` to colleague `to`, who must be on duty, connected, free and able to serve the store.
    pub(super) fn transfer(
        &mut self,
        now: UnixMs,
        conn: ConnectionId,
        from: &Username,
        leg_id: LegId,
        to: &Username,
        out: &mut Out,
    ) {
        if self.answerers.get(from).and_then(|a| a.leg) != Some(leg_id) {
            out.error(conn, CallErrorCode::NotInCall);
            return;
        }
        let store = self
            .legs
            .get(&leg_id)
            .and_then(|l| l.request.as_ref())
            .map(|r| r.store_id.clone());
        let target_ok = to != from
            && self
                .answerers
                .get(to)
                .is_some_and(|a| a.on_duty && a.conn.is_some() && a.leg.is_none())
            && store.is_some_and(|s| self.accounts.get(to).is_some_and(|a| a.serves(&s)))
            && !self.transfers.values().any(|t| t.leg == leg_id);
        if !target_ok {
            out.error(conn, CallErrorCode::TransferUnavailable);
            return;
        }
        let id = TransferId(self.next_id());
        self.transfers.insert(
            id,
            Transfer {
                leg: leg_id,
                from: from.clone(),
                to: to.clone(),
                offered_at: now,
            },
        );
        out.event(CallEvent::TransferOffered {
            transfer: id,
            leg: leg_id,
            from: from.clone(),
            to: to.clone(),
        });
        self.send_transfer_offer(id, out);
    }

    pub(super) fn send_transfer_offer(&self, id: TransferId, out: &mut Out) {
        let Some(t) = self.transfers.get(&id) else {
            return;
        };
        let request = self.legs.get(&t.leg).and_then(|l| l.request.clone());
        let to = self.answerers.get(&t.to).and_then(|a| a.conn);
        if let (Some(to), Some(request)) = (to, request) {
            out.send(
                to,
                ServerMessage::TransferOffer {
                    transfer: id,
                    from: self.account_info(&t.from),
                    request,
                },
            );
        }
    }

    /// The colleague takes the call: their leg starts, then the old one ends (the kiosk keeps the call).
    pub(super) fn accept_transfer(
        &mut self,
        now: UnixMs,
        conn: ConnectionId,
        username: &Username,
        id: TransferId,
        out: &mut Out,
    ) {
        let Some(t) = self.transfers.get(&id).filter(|t| &t.to == username) else {
            out.error(conn, CallErrorCode::TransferGone);
            return;
        };
        if self.answerers.get(username).is_some_and(|a| a.leg.is_some()) {
            out.error(conn, CallErrorCode::Busy);
            return;
        }
        let old = t.leg;
        self.transfers.remove(&id);
        let Some((call, request)) = self.legs.get(&old).map(|l| (l.call, l.request.clone())) else {
            out.error(conn, CallErrorCode::TransferGone);
            return;
        };
        let new = self.new_leg(call, Remote::Account(username.clone()), request);
        if let Some(a) = self.answerers.get_mut(username) {
            a.leg = Some(new);
        }
        self.start_leg(now, new, out);
        self.end_leg(now, old, LegEndReason::Transferred, out);
        out.event(CallEvent::Transferred {
            transfer: id,
            from_leg: old,
            to_leg: new,
        });
    }

    pub(super) fn decline_transfer(
        &mut self,
        conn: ConnectionId,
        username: &Username,
        id: TransferId,
        out: &mut Out,
    ) {
        if self.transfers.get(&id).is_some_and(|t| &t.to == username) {
            self.fail_transfer(id, TransferFailReason::Declined, out);
        } else {
            out.error(conn, CallErrorCode::TransferGone);
        }
    }

    /// A transfer did not happen: the offering stylist hears why, the colleague's offer is withdrawn.
    pub(super) fn fail_transfer(&mut self, id: TransferId, reason: TransferFailReason, out: &mut Out) {
        let Some(t) = self.transfers.remove(&id) else {
            return;
        };
        if let Some(c) = self.answerers.get(&t.from).and_then(|a| a.conn) {
            out.send(c, ServerMessage::TransferFailed { transfer: id, reason });
        }
        if reason != TransferFailReason::Declined
            && let Some(c) = self.answerers.get(&t.to).and_then(|a| a.conn)
        {
            out.send(c, ServerMessage::TransferWithdrawn { transfer: id });
        }
        out.event(CallEvent::TransferFailed { transfer: id, reason });
    }

    /// Withdraws every offer made to `username` (off duty, away, logged out).
    pub(super) fn withdraw_offers_to(&mut self, username: &Username, out: &mut Out) {
        let offers: Vec<TransferId> = self
            .transfers
            .iter()
            .filter(|(_, t)| &t.to == username)
            .map(|(id, _)| *id)
            .collect();
        for id in offers {
            self.fail_transfer(id, TransferFailReason::Unavailable, out);
        }
    }

    /// Who is in each call, sent to its members when it changed.
    pub(super) fn refresh_members(&mut self, out: &mut Out) {
        let mut updates = Vec::new();
        for (id, call) in &self.calls {
            let members: Vec<Member> = call
                .legs
                .iter()
                .filter_map(|l| self.legs.get(l).map(|leg| (l, leg)))
                .map(|(l, leg)| Member {
                    leg: *l,
                    peer: self.remote_info(leg),
                    away: self.remote_conn(leg).is_none(),
                })
                .collect();
            if call.last_members.as_ref() != Some(&members) {
                let mut to: Vec<ConnectionId> = call
                    .legs
                    .iter()
                    .filter_map(|l| self.legs.get(l))
                    .filter_map(|leg| self.remote_conn(leg))
                    .collect();
                to.extend(self.kiosk_conn(&call.device));
                updates.push((*id, members, to));
            }
        }
        for (id, members, to) in updates {
            for conn in to {
                out.send(
                    conn,
                    ServerMessage::Members {
                        call: id,
                        members: members.clone(),
                    },
                );
            }
            if let Some(call) = self.calls.get_mut(&id) {
                call.last_members = Some(members);
            }
        }
    }
}
