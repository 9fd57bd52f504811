//! Caching as a wrapper around whatever hands out a profile's session, so that the sign-in and STS
//! steps know nothing of keys, hits and misses. [aws-vault vault/cachedsessionprovider.go]
//!
//! - `CachedSessionProvider` answers from the cache while the session has more than the refresh
//!   window left (unless forced), else asks its provider and keeps what it got;
//! - `CachingSts` is an `Sts` that keeps every chained session its inner `Sts` hands out.

use super::{CacheKey, CredentialCache};
use crate::sts::{Credentials, HopRequest, SamlRoleRequest, Sts, StsError};
use std::collections::BTreeMap;
use std::future::Future;
use std::time::Duration;
use time::OffsetDateTime;
use tracing::{info, warn};

/// A role's session: what the cache keeps of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleSession {
    pub role_arn: String,
    pub credentials: Credentials,
}

/// Anything that hands out a new session for one profile (a sign-in and AssumeRoleWithSAML, say).
pub trait SessionProvider {
    type Error;
    fn get(&self) -> impl Future<Output = Result<RoleSession, Self::Error>>;
}

/// When a cached session still answers: more than `window` left at `now`, and not `force`d.
#[derive(Debug, Clone, Copy)]
pub struct Freshness {
    pub now: OffsetDateTime,
    pub window: Duration,
    /// Ask the provider even when the cache is fresh (`login --force`).
    pub force: bool,
}

/// `provider`'s session for `key`, from the cache while it is fresh.
pub struct CachedSessionProvider<'a, P> {
    pub provider: P,
    pub cache: &'a CredentialCache,
    pub key: &'a CacheKey,
    pub freshness: Freshness,
}

impl<P: SessionProvider> CachedSessionProvider<'_, P> {
    /// The session, and whether it came from the cache.
    pub async fn get(&self) -> Result<(RoleSession, bool), P::Error> {
        if let Some(hit) = self.cached() {
            info!(
                "profile {}: the cached session is still fresh",
                self.key.profile()
            );
            return Ok((hit, true));
        }
        let fresh = self.provider.get().await?;
        remember(self.cache, self.key, &fresh.role_arn, &fresh.credentials);
        Ok((fresh, false))
    }

    /// True when `get` would answer from the cache.
    pub fn has_fresh(&self) -> bool {
        self.cached().is_some()
    }

    fn cached(&self) -> Option<RoleSession> {
        let Freshness { now, window, force } = self.freshness;
        if force {
            return None;
        }
        let hit = self.cache.lookup(self.key, now, window)?;
        Some(RoleSession {
            role_arn: hit.role_arn,
            credentials: hit.credentials,
        })
    }
}

/// An `Sts` that keeps every chained session `inner` hands out, under its profile's key.
pub struct CachingSts<'a, S> {
    pub inner: &'a S,
    pub cache: &'a CredentialCache,
    pub keys: &'a BTreeMap<String, CacheKey>,
}

impl<S: Sts> Sts for CachingSts<'_, S> {
    fn assume_role_with_saml(
        &self,
        req: SamlRoleRequest<'_>,
    ) -> impl Future<Output = Result<Credentials, StsError>> + Send {
        self.inner.assume_role_with_saml(req)
    }

    fn assume_role(
        &self,
        req: HopRequest<'_>,
    ) -> impl Future<Output = Result<Credentials, StsError>> + Send {
        let (profile, role_arn) = (req.profile, req.role_arn);
        let asked = self.inner.assume_role(req);
        async move {
            let credentials = asked.await?;
            if let Some(key) = self.keys.get(profile) {
                remember(self.cache, key, role_arn, &credentials);
            }
            Ok(credentials)
        }
    }
}

/// A cache that cannot be written is a warning: the session itself is good.
fn remember(cache: &CredentialCache, key: &CacheKey, role_arn: &str, creds: &Credentials) {
    if let Err(e) = cache.put(key, role_arn, creds) {
        warn!(
            "could not cache the session of profile {}: {e}",
            key.profile()
        );
    }
}

#[cfg(test)]
mod tests;
