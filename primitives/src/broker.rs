//! [`Broker`]: publish/subscribe between tasks, with the toolkit's agent kinds.

use core::cell::RefCell;

use embassy_sync::blocking_mutex::Mutex;
use embassy_sync::blocking_mutex::raw::RawMutex;

use crate::{Event, Queue, RingbufQueue};

/// Which topics a subscription receives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Topic<'a> {
    /// Exactly this topic.
    Exact(&'a str),
    /// Topics matching a glob: `*` matches any run of characters, `?` any one. (The toolkit
    /// matches Python regular expressions with `re.match`; a `no_std` port without an
    /// allocator has no regex engine, and topic filters rarely need more than a glob.)
    Glob(&'a str),
}

impl Topic<'_> {
    fn matches(&self, topic: &str) -> bool {
        match self {
            Topic::Exact(t) => *t == topic,
            Topic::Glob(g) => glob(g.as_bytes(), topic.as_bytes()),
        }
    }
}

/// Iterative glob match with single-star backtracking.
fn glob(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == b'?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

/// Something that takes `(topic, message)` items without waiting: the toolkit's Queue and
/// RingbufQueue agents. Returns whether the message was kept.
pub trait Mailbox<T> {
    /// Offers an item; `false` if it was dropped.
    fn offer(&self, topic: &'static str, message: T) -> bool;
}

/// A full [`Queue`] drops the *new* message (as the toolkit's).
impl<M: RawMutex, T, const N: usize> Mailbox<T> for Queue<M, (&'static str, T), N> {
    fn offer(&self, topic: &'static str, message: T) -> bool {
        self.put_nowait((topic, message)).is_ok()
    }
}

/// A full [`RingbufQueue`] drops the *oldest* message and keeps the new one.
impl<M: RawMutex, T, const N: usize> Mailbox<T> for RingbufQueue<M, (&'static str, T), N> {
    fn offer(&self, topic: &'static str, message: T) -> bool {
        let _overwritten = self.put_nowait((topic, message));
        true
    }
}

/// A user agent (the toolkit's `Agent` subclass with a `put` method).
pub trait Subscriber<T> {
    /// Receives a published message.
    fn put(&self, topic: &'static str, message: &T);
}

/// What receives a subscription's messages: the toolkit's agent kinds.
///
/// The toolkit's "coroutine function" agent (a task spawned per message) has no
/// allocation-free form: use an `Event` or a queue agent and a task that waits on it.
/// Arguments given at subscription (Python's `*args`) are captured by the closure or the
/// subscriber instead.
pub enum Agent<'a, M: RawMutex, T> {
    /// Set on each message.
    Event(&'a Event<M>),
    /// Gets `(topic, message)` without waiting; its overflow policy is its own.
    Queue(&'a dyn Mailbox<T>),
    /// Called synchronously inside `publish`.
    Call(&'a dyn Fn(&'static str, &T)),
    /// Its `put` is called synchronously inside `publish`.
    Subscriber(&'a dyn Subscriber<T>),
}

impl<M: RawMutex, T> Clone for Agent<'_, M, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<M: RawMutex, T> Copy for Agent<'_, M, T> {}

impl<M: RawMutex, T> Agent<'_, M, T> {
    /// The same agent: the same object (compared by address).
    fn same(&self, other: &Self) -> bool {
        fn addr<X: ?Sized>(x: &X) -> *const () {
            x as *const X as *const ()
        }
        match (self, other) {
            (Agent::Event(a), Agent::Event(b)) => core::ptr::eq(*a, *b),
            (Agent::Queue(a), Agent::Queue(b)) => addr(*a) == addr(*b),
            (Agent::Call(a), Agent::Call(b)) => addr(*a) == addr(*b),
            (Agent::Subscriber(a), Agent::Subscriber(b)) => addr(*a) == addr(*b),
            _ => false,
        }
    }
}

/// The subscription table is full (`N` subscriptions).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BrokerFull;

/// What one [`Broker::publish`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Delivery {
    /// Agents that took the message.
    pub delivered: usize,
    /// Queue agents that were full and dropped it (the toolkit prints these when `Verbose`).
    pub dropped: usize,
}

/// The toolkit's `Broker`: agents subscribe to topics; [`publish`](Broker::publish) hands a
/// message to every matching agent.
///
/// **Subscription order.** The toolkit keeps subscriptions in a Python `set`, so agents are
/// served in hash order — different across runs and ports. Here they are served in the order
/// they subscribed: deterministic, and what a reader of the code expects. A subscription is
/// `(topic, agent)`; subscribing the same pair twice keeps one, as the set did.
///
/// ```
/// use embassy_sync::blocking_mutex::raw::NoopRawMutex;
/// use fwsim_primitives::{Agent, Broker, Event, RingbufQueue, Topic};
///
/// let alarm = Event::<NoopRawMutex>::new();
/// let log = RingbufQueue::<NoopRawMutex, (&'static str, u32), 4>::new();
/// let broker = Broker::<NoopRawMutex, u32, 8>::new();
/// broker.subscribe(Topic::Exact("temp/alarm"), Agent::Event(&alarm)).unwrap();
/// broker.subscribe(Topic::Glob("temp/*"), Agent::Queue(&log)).unwrap();
///
/// let d = broker.publish("temp/alarm", 91);
/// assert_eq!(d.delivered, 2);
/// assert!(alarm.is_set());
/// assert_eq!(log.get_nowait(), Ok(("temp/alarm", 91)));
/// ```
pub struct Broker<'a, M: RawMutex, T, const N: usize> {
    subscriptions: Mutex<M, RefCell<Subscriptions<'a, M, T, N>>>,
}

/// The table: `(topic, agent)` pairs in subscription order.
type Subscriptions<'a, M, T, const N: usize> = heapless::Vec<(Topic<'a>, Agent<'a, M, T>), N>;

impl<'a, M: RawMutex, T: Clone, const N: usize> Broker<'a, M, T, N> {
    /// A broker with room for `N` subscriptions.
    pub const fn new() -> Self {
        Broker { subscriptions: Mutex::new(RefCell::new(heapless::Vec::new())) }
    }

    /// Subscribes `agent` to `topic` (a second identical subscription is ignored).
    pub fn subscribe(&self, topic: Topic<'a>, agent: Agent<'a, M, T>) -> Result<(), BrokerFull> {
        self.subscriptions.lock(|s| {
            let mut s = s.borrow_mut();
            if s.iter().any(|(t, a)| *t == topic && a.same(&agent)) {
                return Ok(());
            }
            s.push((topic, agent)).map_err(|_| BrokerFull)
        })
    }

    /// Removes the subscription of `agent` to `topic`; returns whether there was one.
    pub fn unsubscribe(&self, topic: Topic<'a>, agent: Agent<'a, M, T>) -> bool {
        self.subscriptions.lock(|s| {
            let mut s = s.borrow_mut();
            match s.iter().position(|(t, a)| *t == topic && a.same(&agent)) {
                Some(i) => {
                    s.remove(i);
                    true
                }
                None => false,
            }
        })
    }

    /// How many subscriptions there are.
    pub fn len(&self) -> usize {
        self.subscriptions.lock(|s| s.borrow().len())
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Hands `message` to every agent subscribed to a topic matching `topic`, in subscription
    /// order. Callbacks run here, outside the broker's lock (they may subscribe or publish).
    pub fn publish(&self, topic: &'static str, message: T) -> Delivery {
        let targets: heapless::Vec<Agent<'a, M, T>, N> =
            self.subscriptions.lock(|s| s.borrow().iter().filter(|(t, _)| t.matches(topic)).map(|(_, a)| *a).collect());
        let mut d = Delivery::default();
        for agent in targets {
            let kept = match agent {
                Agent::Event(e) => {
                    e.set();
                    true
                }
                Agent::Queue(q) => q.offer(topic, message.clone()),
                Agent::Call(f) => {
                    f(topic, &message);
                    true
                }
                Agent::Subscriber(s) => {
                    s.put(topic, &message);
                    true
                }
            };
            if kept {
                d.delivered += 1;
            } else {
                d.dropped += 1;
            }
        }
        d
    }
}

impl<M: RawMutex, T: Clone, const N: usize> Default for Broker<'_, M, T, N> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn globs() {
        for (p, t, ok) in [
            ("a/*", "a/b", true),
            ("a/*", "a/", true),
            ("a/*", "b/a", false),
            ("*/temp", "room1/temp", true),
            ("r?om*", "room1/temp", true),
            ("r?om", "room1", false),
            ("*a*b*", "xxaxxbxx", true),
            ("*a*b", "xxaxxbxxc", false),
            ("", "", true),
            ("*", "", true),
        ] {
            assert_eq!(super::glob(p.as_bytes(), t.as_bytes()), ok, "{p} ~ {t}");
        }
    }
}
