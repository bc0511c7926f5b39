//! The kiosk's side (shopper sessions, invites, requests) and the answerers' side (duty, accept, decline),
//! and the queue views sent to both.

use atelier_protocol::call::{
    CallErrorCode, ClientMessage, Colleague, LegEndReason, MAX_REMOTES, QueueEntry, RequestContext,
    RequestEndReason, RequestId, RequestView, Secret, ServerMessage, Username,
};
use atelier_protocol::{ConnectionId, DeviceId, StoreId};

use super::core::{CallCore, Out, Remote};
use super::{CallEvent, UnixMs};

/// Queue entries one answerer is sent at most.
pub const MAX_QUEUE_ENTRIES_SENT: usize = 20;

impl CallCore {
    pub(super) fn kiosk_message(
        &mut self,
        now: UnixMs,
        conn: ConnectionId,
        device: &DeviceId,
        msg: ClientMessage,
        out: &mut Out,
    ) {
        let session = self.kiosks.get(device).and_then(|k| k.session.clone());
        match msg {
            ClientMessage::StartSession { session: new } if session.as_ref() != Some(&new) => {
                self.end_session(now, device, out);
                if let Some(k) = self.kiosks.get_mut(device) {
                    k.session = Some(new);
                }
            }
            ClientMessage::EndSession => self.end_session(now, device, out),
            ClientMessage::CreateInvite => {
                let Some(session) = session else {
                    out.error(conn, CallErrorCode::NoSession);
                    return;
                };
                let new = self.invites.create(device, &session, now, &mut *self.entropy);
                out.send(
                    conn,
                    ServerMessage::InviteCreated {
                        invite: new.id,
                        token: Secret::new(new.token),
                        code: Secret::new(new.code),
                        expires_at_ms: new.expires_at.0,
                    },
                );
                out.event(CallEvent::InviteCreated {
                    invite: new.id,
                    device: device.clone(),
                });
            }
            ClientMessage::RevokeInvite { invite } => match self.invites.revoke(device, invite) {
                true => {}
                false => out.error(conn, CallErrorCode::InviteUnknown),
            },
            ClientMessage::RequestStylist { context } => {
                self.request(now, conn, device, session.is_some(), context, out)
            }
            ClientMessage::CancelRequest => {
                match self.kiosks.get_mut(device).and_then(|k| k.request.take()) {
                    Some(request) => self.end_request(device, request, RequestEndReason::Cancelled, out),
                    None => out.error(conn, CallErrorCode::RequestGone),
                }
            }
            _ => {}
        }
    }

    fn request(
        &mut self,
        now: UnixMs,
        conn: ConnectionId,
        device: &DeviceId,
        in_session: bool,
        context: RequestContext,
        out: &mut Out,
    ) {
        let Some(kiosk) = self.kiosks.get(device) else {
            return;
        };
        let code = if !in_session {
            Some(CallErrorCode::NoSession)
        } else if kiosk.request.is_some() {
            Some(CallErrorCode::AlreadyRequested)
        } else if self.remotes_in(kiosk.call) >= MAX_REMOTES {
            Some(CallErrorCode::CallFull)
        } else {
            None
        };
        if let Some(code) = code {
            out.error(conn, code);
            return;
        }
        let Some(enrollment) = self.enrollments.get(device) else {
            out.error(conn, CallErrorCode::NotAllowed);
            return;
        };
        let (store, room) = (enrollment.store_id.clone(), enrollment.room.clone());
        let request = self.queue.push(device.clone(), store.clone(), room, context, now);
        if let Some(k) = self.kiosks.get_mut(device) {
            k.request = Some(request);
            k.last_status = None;
        }
        out.event(CallEvent::RequestQueued {
            request,
            device: device.clone(),
            store,
        });
    }

    /// Takes a request out of the queue; the kiosk hears why.
    fn end_request(
        &mut self,
        device: &DeviceId,
        request: RequestId,
        reason: RequestEndReason,
        out: &mut Out,
    ) {
        self.queue.remove(request);
        if let Some(k) = self.kiosks.get_mut(device) {
            k.last_status = None;
            if let Some(conn) = k.conn {
                out.send(conn, ServerMessage::RequestEnded { request, reason });
            }
        }
        out.event(CallEvent::RequestEnded {
            request,
            device: device.clone(),
            reason,
        });
    }

    /// The shopper session is over: its invites, request and call go with it.
    pub(super) fn end_session(&mut self, now: UnixMs, device: &DeviceId, out: &mut Out) {
        self.invites.revoke_device(device);
        self.close_session_asks(device);
        if let Some(request) = self.kiosks.get_mut(device).and_then(|k| k.request.take()) {
            self.end_request(device, request, RequestEndReason::SessionEnded, out);
        }
        self.end_call(now, device, LegEndReason::SessionEnded, out);
        if let Some(k) = self.kiosks.get_mut(device) {
            k.session = None;
        }
    }

    /// The kiosk's socket is gone: its request and call end (its invites wait for it to come back).
    pub(super) fn kiosk_gone(&mut self, now: UnixMs, device: &DeviceId, out: &mut Out) {
        if let Some(request) = self.kiosks.get_mut(device).and_then(|k| k.request.take()) {
            self.end_request(device, request, RequestEndReason::Cancelled, out);
        }
        self.end_call(now, device, LegEndReason::KioskLeft, out);
    }

    pub(super) fn answerer_message(
        &mut self,
        now: UnixMs,
        conn: ConnectionId,
        username: &Username,
        msg: ClientMessage,
        out: &mut Out,
    ) {
        match msg {
            ClientMessage::SetDuty { on_duty } => self.set_duty(username, on_duty, out),
            ClientMessage::Accept { request } => self.accept(now, conn, username, request, out),
            ClientMessage::Decline { request } => {
                if self.queue.decline(request, username) {
                    out.event(CallEvent::RequestDeclined {
                        request,
                        by: username.clone(),
                    });
                } else {
                    out.error(conn, CallErrorCode::RequestGone);
                }
            }
            ClientMessage::Transfer { leg, to } => self.transfer(now, conn, username, leg, &to, out),
            ClientMessage::AcceptTransfer { transfer } => {
                self.accept_transfer(now, conn, username, transfer, out)
            }
            ClientMessage::DeclineTransfer { transfer } => {
                self.decline_transfer(conn, username, transfer, out)
            }
            _ => {}
        }
    }

    pub(super) fn set_duty(&mut self, username: &Username, on_duty: bool, out: &mut Out) {
        let Some(a) = self.answerers.get_mut(username) else {
            return;
        };
        let changed = a.on_duty != on_duty;
        a.on_duty = on_duty;
        a.last_queue = None;
        if changed {
            out.event(CallEvent::DutyChanged {
                username: username.clone(),
                on_duty,
            });
        }
        if !on_duty {
            self.withdraw_offers_to(username, out);
        }
    }

    fn accept(&mut self, now: UnixMs, conn: ConnectionId, username: &Username, id: RequestId, out: &mut Out) {
        let (on_duty, busy) = self
            .answerers
            .get(username)
            .map_or((false, false), |a| (a.on_duty, a.leg.is_some()));
        let Some(request) = self.queue.get(id) else {
            out.error(conn, CallErrorCode::RequestGone);
            return;
        };
        let serves = self
            .accounts
            .get(username)
            .is_some_and(|a| a.serves(&request.store));
        let call = self.kiosks.get(&request.device).and_then(|k| k.call);
        let code = if !on_duty {
            Some(CallErrorCode::NotOnDuty)
        } else if busy {
            Some(CallErrorCode::Busy)
        } else if !serves {
            Some(CallErrorCode::NotAllowed)
        } else if self.remotes_in(call) >= MAX_REMOTES {
            Some(CallErrorCode::CallFull)
        } else {
            None
        };
        if let Some(code) = code {
            out.error(conn, code);
            return;
        }
        let store = request.store.clone();
        let on_duty_now = self.on_duty_for(&store);
        let Some(request) = self.queue.accept(id, now, on_duty_now) else {
            return;
        };
        let device = request.device.clone();
        if let Some(k) = self.kiosks.get_mut(&device) {
            k.request = None;
            k.last_status = None;
            if let Some(kc) = k.conn {
                out.send(
                    kc,
                    ServerMessage::RequestEnded {
                        request: id,
                        reason: RequestEndReason::Accepted,
                    },
                );
            }
        }
        out.event(CallEvent::RequestAccepted {
            request: id,
            device: device.clone(),
            by: username.clone(),
            waited: now.since(request.requested_at),
        });
        let view = RequestView {
            request: id,
            device_id: device.clone(),
            store_id: request.store,
            room: request.room,
            context: request.context,
        };
        let call = self.ensure_call(&device);
        let leg = self.new_leg(call, Remote::Account(username.clone()), Some(view));
        if let Some(a) = self.answerers.get_mut(username) {
            a.leg = Some(leg);
        }
        self.start_leg(now, leg, out);
    }

    /// Connected answerers on duty who can serve `store`.
    pub(super) fn on_duty_for(&self, store: &StoreId) -> u32 {
        let n = self
            .answerers
            .iter()
            .filter(|(u, a)| {
                a.on_duty && a.conn.is_some() && self.accounts.get(u).is_some_and(|acc| acc.serves(store))
            })
            .count();
        u32::try_from(n).unwrap_or(u32::MAX)
    }

    /// Sends what changed: each on-duty answerer's queue view, each waiting kiosk's status, each call's members.
    pub(super) fn refresh(&mut self, out: &mut Out) {
        let on_duty: Vec<Colleague> = self
            .answerers
            .iter()
            .filter(|(_, a)| a.on_duty && a.conn.is_some())
            .filter_map(|(u, a)| {
                let account = self.accounts.get(u)?;
                Some(Colleague {
                    username: u.clone(),
                    display_name: account.display_name.clone(),
                    role: account.role.role(),
                    busy: a.leg.is_some(),
                })
            })
            .collect();
        let mut views = Vec::new();
        for colleague in &on_duty {
            let Some(account) = self.accounts.get(&colleague.username) else {
                continue;
            };
            let visible: Vec<QueueEntry> = self
                .queue
                .iter()
                .enumerate()
                .filter(|(_, r)| account.serves(&r.store) && !r.declined_by.contains(&colleague.username))
                .map(|(i, r)| QueueEntry {
                    position: u32::try_from(i + 1).unwrap_or(u32::MAX),
                    waiting_since_ms: r.requested_at.0,
                    view: RequestView {
                        request: r.id,
                        device_id: r.device.clone(),
                        store_id: r.store.clone(),
                        room: r.room.clone(),
                        context: r.context.clone(),
                    },
                })
                .collect();
            let total = u32::try_from(visible.len()).unwrap_or(u32::MAX);
            let view = ServerMessage::Queue {
                entries: visible.into_iter().take(MAX_QUEUE_ENTRIES_SENT).collect(),
                total,
                on_duty: on_duty.clone(),
            };
            views.push((colleague.username.clone(), view));
        }
        for (username, view) in views {
            if let Some(a) = self.answerers.get_mut(&username)
                && a.last_queue.as_ref() != Some(&view)
                && let Some(conn) = a.conn
            {
                out.send(conn, view.clone());
                a.last_queue = Some(view);
            }
        }

        let statuses: Vec<(DeviceId, ServerMessage)> = self
            .queue
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let position = u32::try_from(i + 1).unwrap_or(u32::MAX);
                let on_duty = self.on_duty_for(&r.store);
                let wait = self.queue.estimator.expected_wait(position, on_duty);
                let status = ServerMessage::QueueStatus {
                    request: r.id,
                    position,
                    expected_wait_secs: wait.map(|w| u32::try_from(w.as_secs()).unwrap_or(u32::MAX)),
                    on_duty,
                };
                (r.device.clone(), status)
            })
            .collect();
        for (device, status) in statuses {
            if let Some(k) = self.kiosks.get_mut(&device)
                && k.last_status.as_ref() != Some(&status)
                && let Some(conn) = k.conn
            {
                out.send(conn, status.clone());
                k.last_status = Some(status);
            }
        }

        self.refresh_members(out);
        self.refresh_asks(out);
    }
}
