//! Shoppers' asks to store staff: another size or colour brought to the fitting room.
//!
//! A kiosk in a shopper session asks (`askStaff`); every signed-in staff member of that store sees
//! the open asks of all its rooms (`staffAsks`, sent when their list changes); one answers "on my
//! way", "not in stock" (with a suggestion) or "arrived", and the kiosk hears each step
//! (`askStatus`) with the staff member's name. Stylists (who answer calls from any store) do not
//! get asks: someone has to walk to the room. The shopper cancels, or the session's end closes
//! them. Asks are kept 30 minutes at most.

use atelier_protocol::call::{
    AskAnswer, AskId, AskItem, AskState, AskView, CallErrorCode, ServerMessage, SessionTag, Username,
};
use atelier_protocol::{ConnectionId, DeviceId, RoomName, StoreId};

use super::UnixMs;
use super::accounts::AccountRole;
use super::core::{CallCore, Out};

/// Open asks one kiosk may have; a new one beyond closes its oldest.
pub const MAX_OPEN_ASKS_PER_KIOSK: usize = 6;
/// How long an ask is kept, whatever its state.
pub const ASK_TTL_MS: u64 = 30 * 60 * 1000;

#[derive(Debug)]
pub(super) struct Ask {
    pub(super) device: DeviceId,
    pub(super) session: SessionTag,
    pub(super) store: StoreId,
    pub(super) room: RoomName,
    /// The kiosk's own number for it.
    pub(super) ask: u32,
    pub(super) items: Vec<AskItem>,
    pub(super) created: UnixMs,
    pub(super) state: AskState,
}

impl Ask {
    fn live(&self) -> bool {
        !matches!(self.state, AskState::Closed | AskState::Arrived { .. })
    }
}

impl CallCore {
    /// `askStaff` from a kiosk in a session.
    pub(super) fn ask_staff(
        &mut self,
        now: UnixMs,
        conn: ConnectionId,
        device: &DeviceId,
        ask: u32,
        items: Vec<AskItem>,
        out: &mut Out,
    ) {
        let session = self.kiosks.get(device).and_then(|k| k.session.clone());
        let Some(session) = session else {
            out.error(conn, CallErrorCode::NoSession);
            return;
        };
        let Some(enrollment) = self.enrollments.get(device) else {
            out.error(conn, CallErrorCode::NotAllowed);
            return;
        };
        let (store, room) = (enrollment.store_id.clone(), enrollment.room.clone());
        // The same number again (a resend after a reconnect) is the same ask.
        if let Some((&id, a)) = self
            .asks
            .iter()
            .find(|(_, a)| &a.device == device && a.session == session && a.ask == ask)
        {
            out.send(conn, status(a, id));
            return;
        }
        let open: Vec<AskId> = self
            .asks
            .iter()
            .filter(|(_, a)| &a.device == device && a.live())
            .map(|(&id, _)| id)
            .collect();
        if open.len() >= MAX_OPEN_ASKS_PER_KIOSK
            && let Some(oldest) = open.first()
        {
            self.close_ask(*oldest, out);
        }
        let id = AskId(self.next_id());
        let new = Ask {
            device: device.clone(),
            session,
            store,
            room,
            ask,
            items,
            created: now,
            state: AskState::Open,
        };
        out.send(conn, status(&new, id));
        self.asks.insert(id, new);
    }

    /// `cancelAsk` from the kiosk that asked.
    pub(super) fn cancel_ask(&mut self, conn: ConnectionId, device: &DeviceId, ask: u32, out: &mut Out) {
        let found = self
            .asks
            .iter()
            .find(|(_, a)| &a.device == device && a.ask == ask && a.live())
            .map(|(&id, _)| id);
        match found {
            Some(id) => self.close_ask(id, out),
            None => out.error(conn, CallErrorCode::RequestGone),
        }
    }

    /// `answerAsk` from a staff member of the ask's store.
    pub(super) fn answer_ask(
        &mut self,
        conn: ConnectionId,
        username: &Username,
        request: AskId,
        answer: AskAnswer,
        out: &mut Out,
    ) {
        let Some(account) = self.accounts.get(username) else {
            out.error(conn, CallErrorCode::NotAllowed);
            return;
        };
        let by = account.display_name.clone();
        let staff_of = |store: &StoreId| account.role == AccountRole::Staff && account.serves(store);
        let Some(a) = self.asks.get_mut(&request) else {
            out.error(conn, CallErrorCode::RequestGone);
            return;
        };
        if !staff_of(&a.store) {
            out.error(conn, CallErrorCode::NotAllowed);
            return;
        }
        if !a.live() {
            out.error(conn, CallErrorCode::RequestGone);
            return;
        }
        a.state = match answer {
            AskAnswer::OnMyWay => AskState::OnMyWay { by },
            AskAnswer::NotInStock { suggestion } => AskState::NotInStock { by, suggestion },
            AskAnswer::Arrived => AskState::Arrived { by },
        };
        let msg = status(a, request);
        let device = a.device.clone();
        if let Some(kiosk_conn) = self.kiosks.get(&device).and_then(|k| k.conn) {
            out.send(kiosk_conn, msg);
        }
    }

    /// The kiosk's session ended: its asks close (staff stop seeing them).
    pub(super) fn close_session_asks(&mut self, device: &DeviceId) {
        for a in self.asks.values_mut().filter(|a| &a.device == device) {
            a.state = AskState::Closed;
        }
    }

    /// A kiosk authenticated again: it hears where its session's asks stand.
    pub(super) fn resend_asks(
        &self,
        conn: ConnectionId,
        device: &DeviceId,
        session: Option<&SessionTag>,
        out: &mut Out,
    ) {
        for (&id, a) in &self.asks {
            if &a.device == device && Some(&a.session) == session {
                out.send(conn, status(a, id));
            }
        }
    }

    fn close_ask(&mut self, id: AskId, out: &mut Out) {
        let Some(a) = self.asks.get_mut(&id) else {
            return;
        };
        a.state = AskState::Closed;
        let msg = status(a, id);
        if let Some(conn) = self.kiosks.get(&a.device).and_then(|k| k.conn) {
            out.send(conn, msg);
        }
    }

    /// Forgets asks past their time.
    pub(super) fn expire_asks(&mut self, now: UnixMs) {
        self.asks
            .retain(|_, a| now.0.saturating_sub(a.created.0) < ASK_TTL_MS && a.state != AskState::Closed);
    }

    /// Sends each signed-in staff member their store's live asks, when their list changed.
    pub(super) fn refresh_asks(&mut self, out: &mut Out) {
        let mut sends = Vec::new();
        for (username, answerer) in &self.answerers {
            let Some(conn) = answerer.conn else {
                continue;
            };
            let Some(account) = self.accounts.get(username) else {
                continue;
            };
            if account.role != AccountRole::Staff {
                continue;
            }
            let asks: Vec<AskView> = self
                .asks
                .iter()
                .filter(|(_, a)| a.live() && account.serves(&a.store))
                .map(|(&id, a)| AskView {
                    request: id,
                    room: a.room.clone(),
                    items: a.items.clone(),
                    created_at_ms: a.created.0,
                    state: a.state.clone(),
                })
                .collect();
            let msg = ServerMessage::StaffAsks { asks };
            if answerer.last_asks.as_ref() != Some(&msg) {
                sends.push((username.clone(), conn, msg));
            }
        }
        for (username, conn, msg) in sends {
            if let Some(a) = self.answerers.get_mut(&username) {
                a.last_asks = Some(msg.clone());
            }
            out.send(conn, msg);
        }
    }
}

fn status(a: &Ask, id: AskId) -> ServerMessage {
    ServerMessage::AskStatus {
        ask: a.ask,
        request: id,
        status: a.state.clone(),
    }
}
