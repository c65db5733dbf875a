//! Rendered pages kept in memory for a few seconds, bounded.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a rendered page or badge is served from memory.
const CACHE_FOR: Duration = Duration::from_secs(5);
/// The most rendered pages kept at once (a slug in each language): far more than a school's
/// published pages, and a bound on what strangers asking for slugs can make this server hold.
pub const CACHE_ENTRIES: usize = 512;

///
/// Bounded (issue 19): an address with no published page is not kept (it used to be, so every
/// made-up slug a stranger asked for stayed in memory), and beyond [`CACHE_ENTRIES`] the
/// stale entries, then the oldest, make room.
#[derive(Default)]
pub struct PageCache(HashMap<String, (Instant, (String, String))>);

impl PageCache {
    pub fn clear(&mut self) {
        self.0.clear();
    }

    /// How many rendered pages are kept now.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The page and badge under `key`, if rendered less than [`CACHE_FOR`] ago.
    pub(super) fn fresh(&self, key: &str) -> Option<(String, String)> {
        self.0.get(key).filter(|(at, _)| at.elapsed() < CACHE_FOR).map(|(_, v)| v.clone())
    }

    /// Keeps `rendered` under `key` as rendered `at`, making room first when full.
    pub(super) fn put(&mut self, key: String, rendered: (String, String), at: Instant) {
        if !self.0.contains_key(&key) && self.0.len() >= CACHE_ENTRIES {
            self.0.retain(|_, (t, _)| t.elapsed() < CACHE_FOR);
            while self.0.len() >= CACHE_ENTRIES {
                let Some(oldest) = self.0.iter().min_by_key(|(_, (t, _))| *t).map(|(k, _)| k.clone()) else { break };
                self.0.remove(&oldest);
            }
        }
        self.0.insert(key, (at, rendered));
    }
}

/// The cache the service keeps (one per server).
pub type SharedCache = Mutex<PageCache>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_keeps_at_most_its_bound_and_drops_the_oldest() {
        let mut cache = PageCache::default();
        let start = Instant::now();
        let page = || ("<html>".to_string(), "<svg>".to_string());
        for i in 0..CACHE_ENTRIES + 100 {
            cache.put(format!("slug-{i}|En"), page(), start + Duration::from_millis(i as u64));
            assert!(cache.len() <= CACHE_ENTRIES);
        }
        assert_eq!(cache.len(), CACHE_ENTRIES);
        assert!(cache.fresh("slug-0|En").is_none(), "the oldest made room");
        assert!(cache.fresh(&format!("slug-{}|En", CACHE_ENTRIES + 99)).is_some(), "the newest is kept");
        // Replacing a kept page does not evict anything.
        cache.put(format!("slug-{}|En", CACHE_ENTRIES + 99), page(), Instant::now());
        assert_eq!(cache.len(), CACHE_ENTRIES);
    }
}
