//! Signing in: attempt throttling, session epochs and passwords, and password reset links.

use crate::store::StoreResult;
use async_trait::async_trait;

/// A one-time password reset link an owner made for a member of their team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetRow {
    pub token_hash: String,
    pub user_id: String,
    /// The team through which the owner made it.
    pub team_id: String,
    pub created_by: String,
    pub created_at: i64,
    pub expires_at: i64,
}

/// Signing in: attempt throttling, session epochs and passwords, password reset links.
#[async_trait]
pub trait SignIn: Send + Sync {
    /// Counts one attempt for `key` and returns it numbered, in one statement: the count
    /// starts again at 1 once `window_ms` have passed since the window's first attempt. Of many
    /// parallel attempts each gets its own number (see `lockstep_domain::account::throttle`).
    async fn count_attempt(
        &self,
        key: &str,
        now: i64,
        window_ms: i64,
    ) -> StoreResult<lockstep_domain::account::throttle::Counted>;
    /// Takes one counted attempt back (it turned out not to count: a right password).
    async fn refund_attempt(&self, key: &str) -> StoreResult<()>;
    /// Forgets every attempt counted for `key`.
    async fn clear_attempts(&self, key: &str) -> StoreResult<()>;

    /// The user's session epoch (`None`: no such user). A session signed in at another epoch
    /// is no longer valid.
    async fn session_epoch(&self, user_id: &str) -> StoreResult<Option<i64>>;
    /// Sets a new password hash and raises the session epoch (every session is signed out);
    /// returns the new epoch, `None` when there is no such user.
    async fn set_password(&self, user_id: &str, password_hash: &str) -> StoreResult<Option<i64>>;
    /// Stores a reset link; the user's earlier unused links stop working.
    async fn insert_reset(&self, reset: &ResetRow) -> StoreResult<()>;
    /// An unused, unexpired reset link.
    async fn reset(&self, token_hash: &str, now: i64) -> StoreResult<Option<ResetRow>>;
    /// Uses the link and sets its user's password (raising the session epoch), atomically: the
    /// link works once. `None` when it is used up or expired, and then nothing changed.
    async fn use_reset(&self, token_hash: &str, password_hash: &str, now: i64) -> StoreResult<Option<ResetRow>>;
}

/// Writes `impl SignIn for $store` (a struct with a `pool` field) for row type `$row`.
macro_rules! sign_in_impl {
    ($store:ty, $row:ty) => {
        fn dir_reset(r: &$row) -> StoreResult<$crate::store::directory::ResetRow> {
            Ok($crate::store::directory::ResetRow {
                token_hash: r.try_get("token_hash")?,
                user_id: r.try_get("user_id")?,
                team_id: r.try_get("team_id")?,
                created_by: r.try_get("created_by")?,
                created_at: r.try_get("created_at")?,
                expires_at: r.try_get("expires_at")?,
            })
        }

        #[async_trait::async_trait]
        impl $crate::store::directory::SignIn for $store {
            async fn count_attempt(
                &self,
                key: &str,
                now: i64,
                window_ms: i64,
            ) -> StoreResult<lockstep_domain::account::throttle::Counted> {
                // One upsert: SQLite runs one writer at a time, and PostgreSQL's ON CONFLICT
                // DO UPDATE locks the row, so no two attempts get the same number. (Both read
                // the old row's values on the right of every SET.)
                let row = sqlx::query(
                    "INSERT INTO attempt_counters (key, window_start, attempts) VALUES ($1, $2, 1) \
                     ON CONFLICT (key) DO UPDATE SET \
                     attempts = CASE WHEN attempt_counters.window_start <= $2 - $3 THEN 1 ELSE attempt_counters.attempts + 1 END, \
                     window_start = CASE WHEN attempt_counters.window_start <= $2 - $3 THEN $2 ELSE attempt_counters.window_start END \
                     RETURNING attempts, window_start",
                )
                .bind(key)
                .bind(now)
                .bind(window_ms)
                .fetch_one(&self.pool)
                .await?;
                let counted = lockstep_domain::account::throttle::Counted {
                    count: row.try_get("attempts")?,
                    window_start: row.try_get("window_start")?,
                };
                // Forget what no window will ever count again.
                sqlx::query("DELETE FROM attempt_counters WHERE window_start < $1")
                    .bind(now - 2 * lockstep_domain::account::throttle::LONGEST_WINDOW_MS)
                    .execute(&self.pool)
                    .await?;
                Ok(counted)
            }

            async fn refund_attempt(&self, key: &str) -> StoreResult<()> {
                sqlx::query("UPDATE attempt_counters SET attempts = attempts - 1 WHERE key = $1 AND attempts > 0")
                    .bind(key)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn clear_attempts(&self, key: &str) -> StoreResult<()> {
                sqlx::query("DELETE FROM attempt_counters WHERE key = $1").bind(key).execute(&self.pool).await?;
                Ok(())
            }

            async fn session_epoch(&self, user_id: &str) -> StoreResult<Option<i64>> {
                let row = sqlx::query("SELECT session_epoch FROM users WHERE id = $1").bind(user_id).fetch_optional(&self.pool).await?;
                Ok(match row {
                    Some(r) => Some(r.try_get("session_epoch")?),
                    None => None,
                })
            }

            async fn set_password(&self, user_id: &str, password_hash: &str) -> StoreResult<Option<i64>> {
                let row = sqlx::query(
                    "UPDATE users SET password_hash = $1, session_epoch = session_epoch + 1 WHERE id = $2 RETURNING session_epoch",
                )
                .bind(password_hash)
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?;
                Ok(match row {
                    Some(r) => Some(r.try_get("session_epoch")?),
                    None => None,
                })
            }

            async fn insert_reset(&self, r: &$crate::store::directory::ResetRow) -> StoreResult<()> {
                let mut tx = self.pool.begin().await?;
                // One live link per person: a new one replaces any the owner made before.
                sqlx::query("DELETE FROM password_resets WHERE user_id = $1 AND used_at IS NULL")
                    .bind(&r.user_id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "INSERT INTO password_resets (token_hash, user_id, team_id, created_by, created_at, expires_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&r.token_hash)
                .bind(&r.user_id)
                .bind(&r.team_id)
                .bind(&r.created_by)
                .bind(r.created_at)
                .bind(r.expires_at)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn reset(&self, token_hash: &str, now: i64) -> StoreResult<Option<$crate::store::directory::ResetRow>> {
                let row = sqlx::query("SELECT * FROM password_resets WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2")
                    .bind(token_hash)
                    .bind(now)
                    .fetch_optional(&self.pool)
                    .await?;
                row.as_ref().map(dir_reset).transpose()
            }

            async fn use_reset(
                &self,
                token_hash: &str,
                password_hash: &str,
                now: i64,
            ) -> StoreResult<Option<$crate::store::directory::ResetRow>> {
                let mut tx = self.pool.begin().await?;
                let row = sqlx::query(
                    "UPDATE password_resets SET used_at = $1 \
                     WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING *",
                )
                .bind(now)
                .bind(token_hash)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(row) = row else {
                    tx.rollback().await?;
                    return Ok(None);
                };
                let reset = dir_reset(&row)?;
                sqlx::query("UPDATE users SET password_hash = $1, session_epoch = session_epoch + 1 WHERE id = $2")
                    .bind(password_hash)
                    .bind(&reset.user_id)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(Some(reset))
            }
        }
    };
}
pub(crate) use sign_in_impl;
