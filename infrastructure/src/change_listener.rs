//! Live changes across server processes. Every process runs one [`ChangeListener`]: it reads the
//! changes committed since its last read (by any process on the database) and publishes each
//! on an in-process broadcast that GraphQL subscriptions follow through the
//! [`ChangeStream`] port. On PostgreSQL, `record_change` runs `pg_notify` in the writing
//! transaction, so a listener (on `LISTEN`) reads as soon as a change commits; a periodic poll
//! covers lost notifications and is all there is on SQLite. With no follower, the listener reads
//! nothing at all.

use std::{
    future::Future,
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicI64, Ordering},
    },
    time::Duration,
};

use async_trait::async_trait;
use domain::{
    StoreError,
    audit::{ChangeRecord, FeedFilter, FeedScope},
    ports::{ChangeFollower, ChangeStream, Store},
};
use sea_orm::sqlx::{PgPool, postgres::PgListener};
use tokio::sync::{Notify, broadcast};

use crate::SeaStore;

/// The PostgreSQL notification channel: a transaction that recorded changes notifies it once, on commit.
pub const CHANNEL: &str = "meridian_changes";

/// Changes a follower may be behind before it skips the oldest.
const CAPACITY: usize = 1024;
/// Changes read at once.
const PAGE: u64 = 500;
/// Wait before a lost `LISTEN` connection is opened again.
const RECONNECT: Duration = Duration::from_secs(5);

/// The in-process side: followers subscribe here, the listener publishes here.
pub struct ChangeHub {
    store: Arc<SeaStore>,
    sender: broadcast::Sender<ChangeRecord>,
    /// Where an idle listener resumes: the lowest position a follower started from since.
    resume: Mutex<Option<i64>>,
    /// For `/metrics`: the last change read and published (-1: none yet), and when the
    /// listener last woke up (Unix milliseconds, 0: never).
    position: AtomicI64,
    polled_at: AtomicI64,
}

#[async_trait]
impl ChangeStream for ChangeHub {
    async fn follow(&self) -> Result<Box<dyn ChangeFollower>, StoreError> {
        let after = self.store.read().latest_change().await?;
        // Noted before subscribing: a listener that sees this follower also sees where it starts.
        {
            let mut resume = self.resume.lock().unwrap_or_else(PoisonError::into_inner);
            *resume = Some(resume.map_or(after, |r| r.min(after)));
        }
        Ok(Box::new(Follower { receiver: self.sender.subscribe(), after }))
    }
}

impl ChangeHub {
    /// GraphQL subscriptions following now.
    pub(crate) fn followers(&self) -> usize {
        self.sender.receiver_count()
    }

    /// The last change read and published, if any.
    pub(crate) fn position(&self) -> Option<i64> {
        Some(self.position.load(Ordering::Relaxed)).filter(|p| *p >= 0)
    }

    /// When the listener last woke up, if ever.
    pub(crate) fn last_poll(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        Some(self.polled_at.load(Ordering::Relaxed)).filter(|t| *t > 0).and_then(chrono::DateTime::from_timestamp_millis)
    }

    /// Publishes the changes after `last` when someone follows; returns the new position, or
    /// `None` when idle (nobody follows, so nothing was read).
    async fn catch_up(&self, last: Option<i64>) -> Option<i64> {
        if self.sender.receiver_count() == 0 {
            return None;
        }
        // Taken only once a follower is there: it noted its start before subscribing.
        let resume = self.resume.lock().unwrap_or_else(PoisonError::into_inner).take();
        let repos = self.store.read();
        let mut last = match last.or(resume) {
            Some(l) => l,
            None => match repos.latest_change().await {
                Ok(l) => l,
                Err(e) => {
                    tracing::warn!(error = %e, "live changes: cannot read the feed position");
                    return None;
                }
            },
        };
        let all = FeedFilter { scope: FeedScope::All, funded: Vec::new(), types: Vec::new() };
        loop {
            match repos.changes_after(&all, last, PAGE).await {
                Ok(page) => {
                    let full = page.len() as u64 == PAGE;
                    for change in page {
                        last = change.seq;
                        // Fails only when every follower has gone meanwhile.
                        let _ = self.sender.send(change);
                    }
                    if !full {
                        break;
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, after = last, "live changes: cannot read the feed; retrying at the next poll");
                    break;
                }
            }
        }
        Some(last)
    }
}

/// One follower: skips what committed before it started, and what it fell behind on.
struct Follower {
    receiver: broadcast::Receiver<ChangeRecord>,
    after: i64,
}

#[async_trait]
impl ChangeFollower for Follower {
    async fn next(&mut self) -> Option<ChangeRecord> {
        loop {
            match self.receiver.recv().await {
                Ok(change) if change.seq <= self.after => {}
                Ok(change) => {
                    self.after = change.seq;
                    return Some(change);
                }
                Err(broadcast::error::RecvError::Lagged(skipped)) => {
                    tracing::warn!(skipped, "a live subscriber fell behind and skips the changes it missed");
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    }
}

/// The task that feeds a [`ChangeHub`].
pub struct ChangeListener {
    hub: Arc<ChangeHub>,
    poll_interval: Duration,
}

impl ChangeListener {
    /// A listener for `store` and the hub it feeds; `poll_interval` is how often it looks for
    /// changes without a notification (the only way on SQLite).
    pub fn new(store: Arc<SeaStore>, poll_interval: Duration) -> (Arc<ChangeHub>, Self) {
        let (sender, _) = broadcast::channel(CAPACITY);
        let hub = Arc::new(ChangeHub { store, sender, resume: Mutex::new(None), position: AtomicI64::new(-1), polled_at: AtomicI64::new(0) });
        (hub.clone(), Self { hub, poll_interval: poll_interval.max(Duration::from_millis(10)) })
    }

    /// Publishes changes until `shutdown` completes.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        let wake = Arc::new(Notify::new());
        let listening = self.hub.store.postgres_pool().cloned().map(|pool| tokio::spawn(listen(pool, wake.clone())));
        tokio::pin!(shutdown);
        let mut last = None;
        loop {
            tokio::select! {
                () = &mut shutdown => break,
                () = wake.notified() => {}
                () = tokio::time::sleep(self.poll_interval) => {}
            }
            last = self.hub.catch_up(last).await;
            self.hub.polled_at.store(chrono::Utc::now().timestamp_millis(), Ordering::Relaxed);
            if let Some(l) = last {
                self.hub.position.store(l, Ordering::Relaxed);
            }
        }
        if let Some(task) = listening {
            task.abort();
        }
    }
}

/// Holds a `LISTEN` connection open (opening it again when lost) and wakes the listener on each
/// notification, and after each (re)connection for what it may have missed.
async fn listen(pool: PgPool, wake: Arc<Notify>) {
    loop {
        match PgListener::connect_with(&pool).await {
            Ok(mut listener) => match listener.listen(CHANNEL).await {
                Ok(()) => {
                    wake.notify_one();
                    loop {
                        match listener.recv().await {
                            Ok(_) => wake.notify_one(),
                            Err(e) => {
                                tracing::warn!(error = %e, "live changes: the LISTEN connection failed; polling until it is back");
                                break;
                            }
                        }
                    }
                }
                Err(e) => tracing::warn!(error = %e, "live changes: LISTEN failed; polling until it works"),
            },
            Err(e) => tracing::warn!(error = %e, "live changes: no connection for LISTEN; polling until there is one"),
        }
        tokio::time::sleep(RECONNECT).await;
    }
}
