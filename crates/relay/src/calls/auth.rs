//! Authentication: kiosks by device key, stylists and staff by password or session token, friends by
//! invite or resume token. One live connection per kiosk or account: a new one replaces the old.

use atelier_protocol::call::{
    CallErrorCode, ClientMessage, DisplayName, LegEndReason, LegId, MAX_REMOTES, Role, Secret, ServerMessage,
    SessionTag, TransferId, Username,
};
use atelier_protocol::{ConnectionId, DeviceId, PROTOCOL_VERSION};

use super::accounts::LoginError;
use super::core::{CallCore, Leg, Out, Remote, Who};
use super::entropy::{TokenHash, random_token, token_hash};
use super::invites::RedeemError;
use super::{CallEvent, CloseReason, RemoteRef, UnixMs};

impl CallCore {
    pub(super) fn authenticate(
        &mut self,
        now: UnixMs,
        conn: ConnectionId,
        msg: ClientMessage,
        out: &mut Out,
    ) {
        let protocol = match &msg {
            ClientMessage::KioskHello { protocol, .. }
            | ClientMessage::Login { protocol, .. }
            | ClientMessage::Resume { protocol, .. }
            | ClientMessage::JoinInvite { protocol, .. } => *protocol,
            _ => PROTOCOL_VERSION,
        };
        if protocol != PROTOCOL_VERSION {
            out.error(conn, CallErrorCode::UnsupportedProtocol);
            self.drop_conn(now, conn, CloseReason::Misbehaving, out);
            return;
        }
        match msg {
            ClientMessage::KioskHello {
                device_id,
                device_key,
                session,
                ..
            } => self.kiosk_hello(now, conn, device_id, &device_key, session, out),
            ClientMessage::Login {
                username, password, ..
            } => self.login(now, conn, username, &password, out),
            ClientMessage::Resume { token, fresh, .. } => self.resume(now, conn, &token, fresh, out),
            ClientMessage::JoinInvite {
                invite, display_name, ..
            } => self.join_invite(now, conn, &invite, display_name, out),
            _ => {}
        }
    }

    fn set_who(&mut self, conn: ConnectionId, who: Who) {
        if let Some(c) = self.conns.get_mut(&conn) {
            c.who = who;
        }
    }

    /// Closes `old` (replaced by `new`) without the consequences of a departure.
    fn replace(&mut self, old: Option<ConnectionId>, new: ConnectionId, out: &mut Out) {
        if let Some(old) = old.filter(|o| *o != new) {
            out.close(old, CloseReason::Replaced);
            self.conns.remove(&old);
        }
    }

    fn kiosk_hello(
        &mut self,
        now: UnixMs,
        conn: ConnectionId,
        device: DeviceId,
        key: &Secret,
        session: Option<SessionTag>,
        out: &mut Out,
    ) {
        let Some(enrollment) = self.enrollments.verify(&device, key.expose()) else {
            out.event(CallEvent::KioskAuthFailed { conn, device });
            self.bad(now, conn, CallErrorCode::BadCredentials, out);
            return;
        };
        let room = DisplayName::clipped(enrollment.room.as_str(), "Fitting room");
        let state = self.kiosks.entry(device.clone()).or_default();
        let old = state.conn.replace(conn);
        state.last_status = None;
        let session_changed = state.session != session;
        let call = state.call;
        self.replace(old, conn, out);
        self.set_who(conn, Who::Kiosk(device.clone()));
        out.send(
            conn,
            ServerMessage::Authenticated {
                protocol: PROTOCOL_VERSION,
                role: Role::Kiosk,
                display_name: room,
                token: None,
                token_expires_at_ms: None,
                on_duty: false,
            },
        );
        out.event(CallEvent::KioskOnline {
            conn,
            device: device.clone(),
        });
        if session_changed {
            self.end_session(now, &device, out);
            if let Some(state) = self.kiosks.get_mut(&device) {
                state.session = session;
            }
        }
        // A replaced socket: the call goes on; tell the new socket who is in it.
        if let Some(call) = call.and_then(|c| self.calls.get_mut(&c)) {
            call.last_members = None;
        }
        // And where the session's asks to staff stand.
        let session = self.kiosks.get(&device).and_then(|k| k.session.clone());
        self.resend_asks(conn, &device, session.as_ref(), out);
    }

    fn login(
        &mut self,
        now: UnixMs,
        conn: ConnectionId,
        username: Username,
        password: &Secret,
        out: &mut Out,
    ) {
        let ttl = self.config.session_ttl;
        match self
            .accounts
            .login(&username, password.expose(), now, ttl, &mut *self.entropy)
        {
            Ok(grant) => {
                out.event(CallEvent::LoggedIn {
                    conn,
                    username: username.clone(),
                });
                self.bind_account(
                    now,
                    conn,
                    &username,
                    grant.session,
                    Some(grant.token),
                    grant.expires_at,
                    // A new sign-in has no peer connection for a leg it had.
                    true,
                    out,
                );
            }
            Err(e) => {
                out.event(CallEvent::LoginFailed { conn, username });
                let code = match e {
                    LoginError::BadCredentials => CallErrorCode::BadCredentials,
                    LoginError::Throttled => CallErrorCode::RateLimited,
                };
                self.bad(now, conn, code, out);
            }
        }
    }

    /// `fresh`: the remote has no peer connection left for its leg (see [`ClientMessage::Resume`]).
    fn resume(&mut self, now: UnixMs, conn: ConnectionId, token: &Secret, fresh: bool, out: &mut Out) {
        if let Some((session, account, expires)) = self.accounts.session(token.expose(), now) {
            let username = account.username.clone();
            out.event(CallEvent::Resumed {
                conn,
                remote: RemoteRef::Account(username.clone()),
            });
            self.bind_account(now, conn, &username, session, None, expires, fresh, out);
        } else if let Some(leg) = self.guests.get(&token_hash(token.expose())).copied() {
            out.event(CallEvent::Resumed {
                conn,
                remote: RemoteRef::Friend,
            });
            self.rebind_friend(now, conn, leg, fresh, out);
        } else {
            self.bad(now, conn, CallErrorCode::SessionExpired, out);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn bind_account(
        &mut self,
        now: UnixMs,
        conn: ConnectionId,
        username: &Username,
        session: TokenHash,
        token: Option<Secret>,
        expires: UnixMs,
        fresh: bool,
        out: &mut Out,
    ) {
        let Some(account) = self.accounts.get(username) else {
            return;
        };
        let (role, display_name) = (account.role.role(), account.display_name.clone());
        let answerer = self.answerers.entry(username.clone()).or_default();
        let old = answerer.conn.replace(conn);
        answerer.away_since = None;
        answerer.last_queue = None;
        answerer.last_asks = None;
        let (on_duty, leg) = (answerer.on_duty, answerer.leg);
        self.replace(old, conn, out);
        self.set_who(
            conn,
            Who::Account {
                username: username.clone(),
                session,
            },
        );
        out.send(
            conn,
            ServerMessage::Authenticated {
                protocol: PROTOCOL_VERSION,
                role,
                display_name,
                token,
                token_expires_at_ms: Some(expires.0),
                on_duty,
            },
        );
        if let Some(leg) = leg {
            self.resume_leg(now, conn, leg, fresh, out);
        }
        let offers: Vec<TransferId> = self
            .transfers
            .iter()
            .filter(|(_, t)| &t.to == username)
            .map(|(id, _)| *id)
            .collect();
        for id in offers {
            self.send_transfer_offer(id, out);
        }
    }

    fn rebind_friend(&mut self, now: UnixMs, conn: ConnectionId, leg: LegId, fresh: bool, out: &mut Out) {
        let Some(Leg {
            remote:
                Remote::Friend {
                    name,
                    conn: friend_conn,
                    away_since,
                    ..
                },
            ..
        }) = self.legs.get_mut(&leg)
        else {
            self.bad(now, conn, CallErrorCode::SessionExpired, out);
            return;
        };
        let old = friend_conn.replace(conn);
        *away_since = None;
        let display_name = name.clone();
        self.replace(old, conn, out);
        self.set_who(conn, Who::Friend(leg));
        out.send(
            conn,
            ServerMessage::Authenticated {
                protocol: PROTOCOL_VERSION,
                role: Role::Friend,
                display_name,
                token: None,
                token_expires_at_ms: None,
                on_duty: false,
            },
        );
        self.resume_leg(now, conn, leg, fresh, out);
    }

    fn join_invite(
        &mut self,
        now: UnixMs,
        conn: ConnectionId,
        invite: &Secret,
        display_name: Option<DisplayName>,
        out: &mut Out,
    ) {
        let checked = self
            .invites
            .check(invite.expose(), now)
            .map(|i| (i.id, i.device.clone(), i.session.clone()));
        let (id, device, session) = match checked {
            Ok(found) => found,
            Err(e) => {
                out.event(CallEvent::InviteRefused { conn });
                let code = match e {
                    RedeemError::Unknown => CallErrorCode::InviteUnknown,
                    RedeemError::Used => CallErrorCode::InviteUsed,
                    RedeemError::Expired => CallErrorCode::InviteExpired,
                    RedeemError::Throttled => CallErrorCode::RateLimited,
                };
                self.bad(now, conn, code, out);
                return;
            }
        };
        let Some(kiosk) = self.kiosks.get(&device) else {
            out.error(conn, CallErrorCode::KioskOffline);
            return;
        };
        if kiosk.session.as_ref() != Some(&session) {
            self.bad(now, conn, CallErrorCode::InviteExpired, out);
            return;
        }
        if kiosk.conn.is_none() {
            out.error(conn, CallErrorCode::KioskOffline);
            return;
        }
        if self.remotes_in(kiosk.call) >= MAX_REMOTES {
            out.error(conn, CallErrorCode::CallFull);
            return;
        }
        self.invites.consume(id);
        let resume = random_token(&mut *self.entropy);
        let resume_hash = token_hash(&resume);
        let name = display_name.unwrap_or_else(|| DisplayName::clipped("Friend", "Friend"));
        let call = self.ensure_call(&device);
        let leg = self.new_leg(
            call,
            Remote::Friend {
                name: name.clone(),
                resume: resume_hash,
                conn: Some(conn),
                away_since: None,
            },
            None,
        );
        self.guests.insert(resume_hash, leg);
        self.set_who(conn, Who::Friend(leg));
        out.send(
            conn,
            ServerMessage::Authenticated {
                protocol: PROTOCOL_VERSION,
                role: Role::Friend,
                display_name: name,
                token: Some(Secret::new(resume)),
                token_expires_at_ms: None,
                on_duty: false,
            },
        );
        out.event(CallEvent::InviteRedeemed {
            invite: id,
            device,
            leg,
        });
        self.start_leg(now, leg, out);
    }

    pub(super) fn logout(
        &mut self,
        now: UnixMs,
        conn: ConnectionId,
        username: &Username,
        session: &TokenHash,
        out: &mut Out,
    ) {
        self.accounts.logout(session);
        let leg = self.answerers.get(username).and_then(|a| a.leg);
        if let Some(leg) = leg {
            self.end_leg(now, leg, LegEndReason::LoggedOut, out);
        }
        self.set_duty(username, false, out);
        if let Some(a) = self.answerers.get_mut(username) {
            a.conn = None;
            a.away_since = None;
        }
        out.event(CallEvent::LoggedOut {
            username: username.clone(),
        });
        out.send(conn, ServerMessage::LoggedOut);
        out.close(conn, CloseReason::LoggedOut);
        self.conns.remove(&conn);
    }
}
