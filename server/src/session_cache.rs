//! Session records kept in memory (#18): a signed-in request no longer reads its session
//! from PostgreSQL and decodes it. What is kept is never trusted alone: every way in
//! decides by `app::api::ssr::user_of_session`, whose one read of the user also checks
//! that the session still exists unexpired in the store — so a session ended by another
//! process (signing out, an administrator ending sessions, the sweeper) stops working at
//! its next request here too, and is forgotten.
//!
//! A session's data is written once, when it is started after its id was cycled (signing
//! in); a record kept for an id therefore never goes stale, it can only be ended.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tower_sessions::session::{Id, Record};
use tower_sessions::session_store;

/// Records kept at most; beyond it the expired ones go, then all (they are read again).
pub const MAX_KEPT: usize = 20_000;

#[derive(Clone, Debug, Default)]
pub struct SessionCache {
    kept: Arc<Mutex<HashMap<Id, Record>>>,
}

impl SessionCache {
    fn put(&self, record: &Record) {
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        if kept.len() >= MAX_KEPT && !kept.contains_key(&record.id) {
            let now = time::OffsetDateTime::now_utc();
            kept.retain(|_, r| r.expiry_date > now);
            if kept.len() >= MAX_KEPT {
                kept.clear();
            }
        }
        kept.insert(record.id, record.clone());
    }

    /// Records kept now.
    pub fn len(&self) -> usize {
        self.kept.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[async_trait::async_trait]
impl session_store::SessionStore for SessionCache {
    /// The store made the id unique already (`CachingSessionStore` creates there first).
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        self.put(record);
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.put(record);
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        match kept.get(id) {
            Some(r) if r.expiry_date > time::OffsetDateTime::now_utc() => Ok(Some(r.clone())),
            Some(_) => {
                kept.remove(id);
                Ok(None)
            }
            None => Ok(None),
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.kept
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(id);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower_sessions::session_store::SessionStore;

    fn record(id: i128, secs: i64) -> Record {
        Record {
            id: Id(id),
            data: Default::default(),
            expiry_date: time::OffsetDateTime::now_utc() + time::Duration::seconds(secs),
        }
    }

    #[tokio::test]
    async fn keeps_live_records_and_forgets_ended_and_expired_ones() {
        let c = SessionCache::default();
        c.save(&record(1, 60)).await.unwrap();
        c.save(&record(2, -1)).await.unwrap();
        assert!(c.load(&Id(1)).await.unwrap().is_some());
        assert!(c.load(&Id(2)).await.unwrap().is_none(), "expired");
        assert!(c.load(&Id(3)).await.unwrap().is_none(), "never seen");
        c.delete(&Id(1)).await.unwrap();
        assert!(c.load(&Id(1)).await.unwrap().is_none(), "ended");
        assert!(c.is_empty());
    }

    #[tokio::test]
    async fn is_bounded() {
        let c = SessionCache::default();
        for i in 0..(MAX_KEPT as i128 + 10) {
            c.save(&record(i, 60)).await.unwrap();
        }
        assert!(c.len() <= MAX_KEPT);
    }
}
