//! The stylist queue: requests first in, first out across stores, and the expected wait.
//!
//! The wait estimate: each accept yields a sample, the time the queue had been waiting since the previous
//! accept (or since it stopped being empty) multiplied by the answerers on duty then, i.e. how long one
//! answerer takes to free up. The mean of the last ten samples (or a default until there are three),
//! divided by the answerers on duty now, times the place in the queue, is the expected wait.

use std::collections::{BTreeSet, VecDeque};
use std::time::Duration;

use atelier_protocol::call::{RequestContext, RequestId, Username};
use atelier_protocol::{DeviceId, RoomName, StoreId};

use super::UnixMs;

/// One waiting request.
#[derive(Debug, Clone)]
pub struct Request {
    pub id: RequestId,
    pub device: DeviceId,
    pub store: StoreId,
    pub room: RoomName,
    pub context: RequestContext,
    pub requested_at: UnixMs,
    /// Answerers who passed on it; it stays queued for the others.
    pub declined_by: BTreeSet<Username>,
}

const SAMPLES: usize = 10;
const MIN_SAMPLES: usize = 3;
const MIN_WAIT: Duration = Duration::from_secs(10);
const MAX_WAIT: Duration = Duration::from_secs(60 * 60);

/// Recent accepts → expected waits.
#[derive(Debug, Clone)]
pub struct WaitEstimator {
    default_per_answerer: Duration,
    samples: VecDeque<Duration>,
    last_accept: Option<UnixMs>,
}

impl WaitEstimator {
    /// An estimator that assumes `default_per_answerer` until it has seen three accepts.
    pub fn new(default_per_answerer: Duration) -> Self {
        Self {
            default_per_answerer,
            samples: VecDeque::new(),
            last_accept: None,
        }
    }

    /// An accept at `now`; the queue had requests waiting since `waiting_since`.
    pub fn record_accept(&mut self, now: UnixMs, waiting_since: UnixMs, on_duty: u32) {
        let since = self.last_accept.map_or(waiting_since, |t| t.max(waiting_since));
        let sample = now.since(since) * on_duty.max(1);
        if self.samples.len() == SAMPLES {
            self.samples.pop_front();
        }
        self.samples.push_back(sample);
        self.last_accept = Some(now);
    }

    /// How long one answerer takes to free up.
    pub fn per_answerer(&self) -> Duration {
        if self.samples.len() < MIN_SAMPLES {
            return self.default_per_answerer;
        }
        let n = u32::try_from(self.samples.len()).unwrap_or(u32::MAX);
        self.samples.iter().sum::<Duration>() / n
    }

    /// The expected wait at `position` (1 is next); `None` with nobody on duty.
    pub fn expected_wait(&self, position: u32, on_duty: u32) -> Option<Duration> {
        if on_duty == 0 {
            return None;
        }
        let wait = self.per_answerer() * position.max(1) / on_duty;
        Some(wait.clamp(MIN_WAIT, MAX_WAIT))
    }
}

/// The requests waiting, oldest first.
#[derive(Debug, Clone)]
pub struct Queue {
    next_id: u64,
    entries: VecDeque<Request>,
    /// When the queue last went from empty to waiting.
    waiting_since: Option<UnixMs>,
    pub estimator: WaitEstimator,
}

impl Queue {
    /// An empty queue.
    pub fn new(default_per_answerer: Duration) -> Self {
        Self {
            next_id: 1,
            entries: VecDeque::new(),
            waiting_since: None,
            estimator: WaitEstimator::new(default_per_answerer),
        }
    }

    /// Appends a request.
    pub fn push(
        &mut self,
        device: DeviceId,
        store: StoreId,
        room: RoomName,
        context: RequestContext,
        now: UnixMs,
    ) -> RequestId {
        let id = RequestId(self.next_id);
        self.next_id += 1;
        if self.entries.is_empty() {
            self.waiting_since = Some(now);
        }
        self.entries.push_back(Request {
            id,
            device,
            store,
            room,
            context,
            requested_at: now,
            declined_by: BTreeSet::new(),
        });
        id
    }

    /// A waiting request.
    pub fn get(&self, id: RequestId) -> Option<&Request> {
        self.entries.iter().find(|r| r.id == id)
    }

    /// 1-based place in the queue.
    #[cfg(test)]
    pub fn position(&self, id: RequestId) -> Option<u32> {
        let index = self.entries.iter().position(|r| r.id == id)?;
        u32::try_from(index + 1).ok()
    }

    /// Takes a request out (cancelled, session ended, kiosk gone).
    pub fn remove(&mut self, id: RequestId) -> Option<Request> {
        let index = self.entries.iter().position(|r| r.id == id)?;
        let request = self.entries.remove(index);
        if self.entries.is_empty() {
            self.waiting_since = None;
        }
        request
    }

    /// Takes a request out because it was accepted, and learns from it.
    pub fn accept(&mut self, id: RequestId, now: UnixMs, on_duty: u32) -> Option<Request> {
        let waiting_since = self.waiting_since.unwrap_or(now);
        let request = self.remove(id)?;
        self.estimator.record_accept(now, waiting_since, on_duty);
        if !self.entries.is_empty() {
            // Those still waiting have waited since this accept, for the next sample's purposes.
            self.waiting_since = Some(now);
        }
        Some(request)
    }

    /// Marks a request as passed on by `by`.
    pub fn decline(&mut self, id: RequestId, by: &Username) -> bool {
        match self.entries.iter_mut().find(|r| r.id == id) {
            Some(r) => {
                r.declined_by.insert(by.clone());
                true
            }
            None => false,
        }
    }

    /// Waiting requests, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &Request> {
        self.entries.iter()
    }

    /// Requests waiting.
    pub fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: u64 = 1000;

    fn queue() -> Queue {
        Queue::new(Duration::from_secs(120))
    }

    fn push(q: &mut Queue, k: &str, now: u64) -> RequestId {
        q.push(
            DeviceId::new(k).unwrap(),
            StoreId::new("s").unwrap(),
            RoomName::new("R").unwrap(),
            RequestContext::default(),
            UnixMs(now),
        )
    }

    #[test]
    fn positions_are_first_in_first_out() {
        let mut q = queue();
        let a = push(&mut q, "a", 0);
        let b = push(&mut q, "b", 1);
        let c = push(&mut q, "c", 2);
        assert_eq!(
            (q.position(a), q.position(b), q.position(c)),
            (Some(1), Some(2), Some(3))
        );
        q.remove(a);
        assert_eq!((q.position(b), q.position(c)), (Some(1), Some(2)));
    }

    #[test]
    fn default_wait_scales_with_position_and_on_duty() {
        let q = queue();
        let e = &q.estimator;
        assert_eq!(e.expected_wait(1, 0), None);
        assert_eq!(e.expected_wait(1, 1), Some(Duration::from_secs(120)));
        assert_eq!(e.expected_wait(3, 2), Some(Duration::from_secs(180)));
        assert_eq!(e.expected_wait(1, 100), Some(MIN_WAIT));
    }

    #[test]
    fn accepts_teach_the_estimate() {
        let mut q = queue();
        // One stylist clears a request every 40 s while the queue is busy.
        let ids: Vec<RequestId> = (0..4).map(|i| push(&mut q, &format!("k{i}"), 0)).collect();
        for (n, id) in ids.iter().take(3).enumerate() {
            q.accept(*id, UnixMs((n as u64 + 1) * 40 * S), 1);
        }
        assert_eq!(q.estimator.per_answerer(), Duration::from_secs(40));
        assert_eq!(q.estimator.expected_wait(1, 1), Some(Duration::from_secs(40)));
        assert_eq!(q.estimator.expected_wait(2, 2), Some(Duration::from_secs(40)));
    }

    #[test]
    fn idle_time_with_an_empty_queue_does_not_count() {
        let mut q = queue();
        let a = push(&mut q, "a", 0);
        q.accept(a, UnixMs(20 * S), 1);
        // An hour with nobody waiting, then a request answered in 20 s.
        let b = push(&mut q, "b", 3600 * S);
        q.accept(b, UnixMs(3620 * S), 1);
        let c = push(&mut q, "c", 7200 * S);
        q.accept(c, UnixMs(7220 * S), 1);
        assert_eq!(q.estimator.per_answerer(), Duration::from_secs(20));
    }

    #[test]
    fn declines_are_remembered_per_answerer() {
        let mut q = queue();
        let a = push(&mut q, "a", 0);
        let mei = Username::new("mei").unwrap();
        assert!(q.decline(a, &mei));
        assert!(q.get(a).unwrap().declined_by.contains(&mei));
        assert!(!q.decline(RequestId(99), &mei));
    }
}
