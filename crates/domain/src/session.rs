//! The fitting-room session: attract → active → "still there?" → ended (and wiped).
//!
//! A pure state machine in the style of str0m: the caller passes `now` in, calls
//! [`Session::handle_timeout`] when [`Session::poll_timeout`] says so, and acts on the returned
//! [`SessionEvent`]s (notably [`SessionEvent::Wipe`], which must erase everything of that session).

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// How long a session may sit idle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionTimeouts {
    /// Without a touch for this long, the mirror asks "Still there?".
    pub idle: Duration,
    /// The "Still there?" countdown; when it runs out the session ends and is wiped.
    pub still_there: Duration,
}

impl Default for SessionTimeouts {
    fn default() -> Self {
        Self {
            idle: Duration::from_secs(90),
            still_there: Duration::from_secs(20),
        }
    }
}

/// Where the session is, as the UI shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum SessionPhase {
    /// Nobody is using the mirror: the attract screen.
    Attract,
    /// A shopper is using the mirror.
    Active,
    /// Idle too long: counting down before the session is ended and wiped.
    StillThere,
}

/// Why a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum EndReason {
    /// The shopper tapped "End session".
    ShopperEnded,
    /// Nobody answered "Still there?".
    IdleTimeout,
    /// Staff ended it from the admin screen.
    Staff,
}

/// What the shell must do after a call into the state machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionEvent {
    /// A session began.
    Started { number: u64 },
    /// The session went idle and the countdown started.
    AskStillThere { number: u64, deadline: Instant },
    /// The shopper answered the countdown.
    Resumed { number: u64 },
    /// The session ended.
    Ended { number: u64, reason: EndReason },
    /// Erase everything that belongs to this session (snapshots, scans, call state, picks).
    Wipe { number: u64 },
}

/// A snapshot of the session for the UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct SessionView {
    pub phase: SessionPhase,
    /// Sessions started since the kiosk started; 0 before the first.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub number: u64,
    /// Seconds since the session started (0 on the attract screen).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub elapsed_secs: u64,
    /// Seconds left on the "Still there?" countdown, when it runs.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub still_there_secs_left: Option<u64>,
}

#[derive(Debug, Clone, Copy)]
enum State {
    Attract,
    Active {
        started: Instant,
        last_activity: Instant,
    },
    StillThere {
        started: Instant,
        deadline: Instant,
    },
}

/// The fitting-room session state machine.
#[derive(Debug, Clone)]
pub struct Session {
    timeouts: SessionTimeouts,
    state: State,
    number: u64,
}

impl Session {
    /// A kiosk on its attract screen.
    pub fn new(timeouts: SessionTimeouts) -> Self {
        Self {
            timeouts,
            state: State::Attract,
            number: 0,
        }
    }

    /// Changes the timeouts; a running countdown keeps its deadline.
    pub fn set_timeouts(&mut self, timeouts: SessionTimeouts) {
        self.timeouts = timeouts;
    }

    /// The current phase.
    pub fn phase(&self) -> SessionPhase {
        match self.state {
            State::Attract => SessionPhase::Attract,
            State::Active { .. } => SessionPhase::Active,
            State::StillThere { .. } => SessionPhase::StillThere,
        }
    }

    /// A shopper tapped to start. Starting while a session runs counts as activity.
    pub fn start(&mut self, now: Instant) -> Vec<SessionEvent> {
        match self.state {
            State::Attract => {
                self.number += 1;
                self.state = State::Active {
                    started: now,
                    last_activity: now,
                };
                vec![SessionEvent::Started { number: self.number }]
            }
            _ => self.activity(now),
        }
    }

    /// The shopper touched the screen (or otherwise showed they are there).
    pub fn activity(&mut self, now: Instant) -> Vec<SessionEvent> {
        match self.state {
            State::Attract => Vec::new(),
            State::Active { started, .. } => {
                self.state = State::Active {
                    started,
                    last_activity: now,
                };
                Vec::new()
            }
            State::StillThere { started, .. } => {
                self.state = State::Active {
                    started,
                    last_activity: now,
                };
                vec![SessionEvent::Resumed { number: self.number }]
            }
        }
    }

    /// Ends the session, if one runs, and asks for it to be wiped.
    pub fn end(&mut self, _now: Instant, reason: EndReason) -> Vec<SessionEvent> {
        match self.state {
            State::Attract => Vec::new(),
            State::Active { .. } | State::StillThere { .. } => {
                self.state = State::Attract;
                vec![
                    SessionEvent::Ended {
                        number: self.number,
                        reason,
                    },
                    SessionEvent::Wipe { number: self.number },
                ]
            }
        }
    }

    /// When the shell must call [`Session::handle_timeout`] next, if at all.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match self.state {
            State::Attract => None,
            State::Active { last_activity, .. } => Some(last_activity + self.timeouts.idle),
            State::StillThere { deadline, .. } => Some(deadline),
        }
    }

    /// Moves the machine on to `now`: idle sessions ask "Still there?", unanswered ones end.
    pub fn handle_timeout(&mut self, now: Instant) -> Vec<SessionEvent> {
        match self.state {
            State::Attract => Vec::new(),
            State::Active {
                started,
                last_activity,
            } => {
                if now < last_activity + self.timeouts.idle {
                    return Vec::new();
                }
                let deadline = now + self.timeouts.still_there;
                self.state = State::StillThere { started, deadline };
                let mut events = vec![SessionEvent::AskStillThere {
                    number: self.number,
                    deadline,
                }];
                // A zero countdown (or a very late call) ends the session at once.
                if now >= deadline {
                    events.extend(self.end(now, EndReason::IdleTimeout));
                }
                events
            }
            State::StillThere { deadline, .. } => {
                if now < deadline {
                    return Vec::new();
                }
                self.end(now, EndReason::IdleTimeout)
            }
        }
    }

    /// What the UI shows.
    pub fn view(&self, now: Instant) -> SessionView {
        let (elapsed, left) = match self.state {
            State::Attract => (Duration::ZERO, None),
            State::Active { started, .. } => (now.saturating_duration_since(started), None),
            State::StillThere { started, deadline } => (
                now.saturating_duration_since(started),
                // Round up, so the countdown shows 1 until the very end, never 0 while still running.
                Some(deadline.saturating_duration_since(now).as_millis().div_ceil(1000) as u64),
            ),
        };
        SessionView {
            phase: self.phase(),
            number: self.number,
            elapsed_secs: elapsed.as_secs(),
            still_there_secs_left: left,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    fn machine() -> (Session, Instant) {
        let t = SessionTimeouts {
            idle: secs(60),
            still_there: secs(15),
        };
        (Session::new(t), Instant::now())
    }

    #[test]
    fn starts_from_attract_and_numbers_sessions() {
        let (mut s, t0) = machine();
        assert_eq!(s.phase(), SessionPhase::Attract);
        assert_eq!(s.poll_timeout(), None);
        assert_eq!(s.start(t0), vec![SessionEvent::Started { number: 1 }]);
        assert_eq!(s.phase(), SessionPhase::Active);
        // A second tap is activity, not a second session.
        assert!(s.start(t0 + secs(1)).is_empty());
        s.end(t0 + secs(2), EndReason::ShopperEnded);
        assert_eq!(s.start(t0 + secs(3)), vec![SessionEvent::Started { number: 2 }]);
    }

    #[test]
    fn idle_asks_still_there_then_ends_and_wipes() {
        let (mut s, t0) = machine();
        s.start(t0);
        assert_eq!(s.poll_timeout(), Some(t0 + secs(60)));
        assert!(s.handle_timeout(t0 + secs(59)).is_empty(), "not idle yet");
        let ev = s.handle_timeout(t0 + secs(60));
        assert_eq!(
            ev,
            vec![SessionEvent::AskStillThere {
                number: 1,
                deadline: t0 + secs(75)
            }]
        );
        assert_eq!(s.phase(), SessionPhase::StillThere);
        assert_eq!(s.view(t0 + secs(61)).still_there_secs_left, Some(14));
        let ev = s.handle_timeout(t0 + secs(75));
        assert_eq!(
            ev,
            vec![
                SessionEvent::Ended {
                    number: 1,
                    reason: EndReason::IdleTimeout
                },
                SessionEvent::Wipe { number: 1 }
            ]
        );
        assert_eq!(s.phase(), SessionPhase::Attract);
    }

    #[test]
    fn activity_postpones_idle_and_answers_the_countdown() {
        let (mut s, t0) = machine();
        s.start(t0);
        s.activity(t0 + secs(50));
        assert!(s.handle_timeout(t0 + secs(60)).is_empty());
        assert_eq!(s.poll_timeout(), Some(t0 + secs(110)));
        s.handle_timeout(t0 + secs(110));
        assert_eq!(
            s.activity(t0 + secs(111)),
            vec![SessionEvent::Resumed { number: 1 }]
        );
        assert_eq!(s.phase(), SessionPhase::Active);
    }

    #[test]
    fn ending_always_wipes_and_ending_twice_is_harmless() {
        let (mut s, t0) = machine();
        s.start(t0);
        let ev = s.end(t0 + secs(5), EndReason::ShopperEnded);
        assert!(ev.contains(&SessionEvent::Wipe { number: 1 }));
        assert!(s.end(t0 + secs(6), EndReason::ShopperEnded).is_empty());
        assert!(
            s.activity(t0 + secs(7)).is_empty(),
            "touching the attract screen starts nothing"
        );
    }

    #[test]
    fn a_late_timer_with_zero_countdown_still_ends_the_session() {
        let t = SessionTimeouts {
            idle: secs(10),
            still_there: Duration::ZERO,
        };
        let mut s = Session::new(t);
        let t0 = Instant::now();
        s.start(t0);
        let ev = s.handle_timeout(t0 + secs(500));
        assert!(ev.contains(&SessionEvent::Wipe { number: 1 }));
        assert_eq!(s.phase(), SessionPhase::Attract);
    }

    #[test]
    fn view_reports_elapsed_time() {
        let (mut s, t0) = machine();
        assert_eq!(s.view(t0).elapsed_secs, 0);
        s.start(t0);
        let v = s.view(t0 + secs(42));
        assert_eq!(
            (v.phase, v.number, v.elapsed_secs, v.still_there_secs_left),
            (SessionPhase::Active, 1, 42, None)
        );
    }
}
