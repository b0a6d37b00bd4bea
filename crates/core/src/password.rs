//! Passwords: argon2id in PHC string form, hashed and verified on tokio's blocking pool
//! behind a semaphore, so a burst of logins neither stalls the async runtime nor takes
//! every core. A verification for an unknown user runs against a dummy hash made with the
//! same parameters, so it costs what a wrong password costs.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use subtle::ConstantTimeEq as _;
use tokio::sync::Semaphore;

use crate::crypto::Secret;
use crate::{Error, Result};

/// argon2id parameters. The defaults are one of OWASP's minimum configurations for
/// argon2id: 9 MiB, 4 iterations, 1 lane. OWASP lists five (46 MiB/t=1, 19 MiB/t=2,
/// 12 MiB/t=3, 9 MiB/t=4, 7 MiB/t=5) as "an equal level of defense", differing only in
/// how they trade CPU for RAM. A server hashes one password per core at a time, so the
/// working memory is paid per core: 9 MiB keeps a 2-core server under password load
/// within 64 MB (measured: 54–62 MB, against 77–96 MB at 19 MiB/t=2) at the same login
/// throughput (README, "Benchmarks"). Hashes made under other parameters still verify
/// (the PHC string carries them) and are replaced at the next login
/// ([`Passwords::upgrade`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordParams {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Iterations.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
    /// Hashes computed at once (0: the number of CPUs).
    pub max_concurrent: usize,
    /// The longest a password check may wait for a hashing slot. When the queue ahead
    /// would take longer (estimated from recent hash times), the request is refused at
    /// once with [`Error::RateLimited`] and a Retry-After, instead of waiting to time out.
    pub max_wait: Duration,
}

impl Default for PasswordParams {
    fn default() -> Self {
        PasswordParams {
            memory_kib: 9 * 1024,
            iterations: 4,
            parallelism: 1,
            max_concurrent: 0,
            max_wait: Duration::from_secs(2),
        }
    }
}

/// Longest accepted password, in bytes (argon2 takes any length; this bounds the work a
/// request can ask for).
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// Shortest password accepted for a new account, in characters.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// Hashes and verifies passwords off the async runtime, at most `workers` at once, and
/// refuses at once what could not start within `max_wait` (admission control: under a
/// login flood the CPU stays busy with hashes that will be answered in time, instead of
/// every request queueing until it times out).
#[derive(Clone)]
pub struct Passwords {
    argon: Argon2<'static>,
    permits: Arc<Semaphore>,
    dummy: Arc<str>,
    load: Arc<Load>,
    memory: Arc<MemoryPool>,
}

/// argon2's working memory (9 MiB at the default parameters), one block array per
/// worker, reused by every hash of a burst of checks and freed once no hash has started
/// for [`IDLE_RELEASE`]. Allocating it per hash made glibc keep freed arrays in per-thread
/// arenas (550 MB resident under a login flood instead of about 50); keeping it forever
/// left 38 MB resident after the last login.
#[derive(Default)]
struct MemoryPool {
    arrays: std::sync::Mutex<Vec<Vec<Block>>>,
    /// Hashes started so far: a release scheduled at one count runs only if no hash
    /// started since.
    started: AtomicU64,
}

/// How long the pool keeps its arrays after the last hash started.
const IDLE_RELEASE: Duration = Duration::from_millis(250);

impl MemoryPool {
    fn take(&self) -> Vec<Block> {
        self.started.fetch_add(1, Ordering::Relaxed);
        self.arrays
            .lock()
            .map(|mut v| v.pop())
            .ok()
            .flatten()
            .unwrap_or_default()
    }

    fn put(&self, blocks: Vec<Block>) {
        if let Ok(mut v) = self.arrays.lock() {
            v.push(blocks);
        }
    }

    /// Frees the arrays after [`IDLE_RELEASE`] unless another hash starts meanwhile.
    fn release_when_idle(self: Arc<Self>) {
        let at = self.started.load(Ordering::Relaxed);
        tokio::spawn(async move {
            tokio::time::sleep(IDLE_RELEASE).await;
            if self.started.load(Ordering::Relaxed) == at
                && let Ok(mut v) = self.arrays.lock()
            {
                v.clear();
            }
        });
    }

    #[cfg(test)]
    fn held(&self) -> usize {
        self.arrays.lock().map_or(0, |v| v.len())
    }
}

/// The first `n` blocks of the pooled array, growing it if a stored hash needs more.
fn blocks_for(memory: &mut Vec<Block>, n: usize) -> &mut [Block] {
    if memory.len() < n {
        memory.resize(n, Block::default());
    }
    &mut memory[..n]
}

/// Queue length and recent hash time, for the admission estimate.
#[derive(Debug)]
struct Load {
    workers: usize,
    max_wait: Duration,
    /// Checks admitted and not finished (waiting or hashing).
    admitted: AtomicUsize,
    /// Moving average of one hash's wall time, nanoseconds.
    hash_ns: AtomicU64,
    /// Checks refused because they could not start in time (for `/metrics`).
    refused: AtomicU64,
}

impl Load {
    /// The wait a new check would face: the hashes ahead of it, `workers` at a time.
    fn expected_wait(&self, ahead: usize) -> Duration {
        let rounds = u64::try_from(ahead / self.workers).unwrap_or(u64::MAX);
        Duration::from_nanos(self.hash_ns.load(Ordering::Relaxed).saturating_mul(rounds))
    }

    fn record(&self, took: Duration) {
        let ns = u64::try_from(took.as_nanos()).unwrap_or(u64::MAX);
        let old = self.hash_ns.load(Ordering::Relaxed);
        // EWMA with weight 1/8: follows the machine's load within a few dozen hashes.
        self.hash_ns.store(old - old / 8 + ns / 8, Ordering::Relaxed);
    }
}

/// Releases an admission slot when the check ends, however it ends.
struct Admitted<'a>(&'a Load);

impl Drop for Admitted<'_> {
    fn drop(&mut self) {
        self.0.admitted.fetch_sub(1, Ordering::Relaxed);
    }
}

fn overloaded(wait: Duration) -> Error {
    Error::RateLimited {
        retry_after_secs: wait.as_secs().max(1),
    }
}

/// The pool's state at scrape time: hashes running and queued (read from the semaphore
/// and the admission count, so the hot path pays nothing extra) and checks refused.
impl prometheus_client::collector::Collector for Passwords {
    fn encode(&self, mut encoder: prometheus_client::encoding::DescriptorEncoder) -> std::fmt::Result {
        use prometheus_client::encoding::EncodeMetric as _;
        use prometheus_client::metrics::counter::ConstCounter;
        use prometheus_client::metrics::gauge::ConstGauge;
        let load = &*self.load;
        let running = load.workers.saturating_sub(self.permits.available_permits());
        let queued = load.admitted.load(Ordering::Relaxed).saturating_sub(running);
        for (name, help, n) in [
            ("password_hashes_running", "Password hashes computing now", running),
            (
                "password_hashes_queued",
                "Password checks waiting for a hashing slot",
                queued,
            ),
        ] {
            let gauge = ConstGauge::new(i64::try_from(n).unwrap_or(i64::MAX));
            gauge.encode(encoder.encode_descriptor(name, help, None, gauge.metric_type())?)?;
        }
        let counter = ConstCounter::new(load.refused.load(Ordering::Relaxed));
        counter.encode(encoder.encode_descriptor(
            "password_hashes_refused",
            "Password checks refused (429) because they could not start in time",
            None,
            counter.metric_type(),
        )?)?;
        Ok(())
    }
}

impl std::fmt::Debug for Passwords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Passwords")
    }
}

fn hash_with(argon: &Argon2<'static>, password: &[u8], memory: &mut Vec<Block>) -> Result<String> {
    let fail = |e: &dyn std::fmt::Display| Error::internal(format!("argon2: {e}"));
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    let mut salt_buf = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_buf).map_err(|e| fail(&e))?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    let params = argon.params();
    argon
        .hash_password_into_with_memory(password, salt_bytes, &mut out, blocks_for(memory, params.block_count()))
        .map_err(|e| fail(&e))?;
    let phc = PasswordHash {
        algorithm: argon2::ARGON2ID_IDENT,
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(params).map_err(|e| fail(&e))?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(|e| fail(&e))?),
    };
    Ok(phc.to_string())
}

fn verify_with(password: &[u8], phc: &str, memory: &mut Vec<Block>) -> bool {
    // The PHC string carries its own parameters: hashes made under older settings verify.
    let Ok(h) = PasswordHash::new(phc) else { return false };
    let (Ok(algorithm), Ok(params), Some(salt), Some(expected)) =
        (Algorithm::try_from(h.algorithm), Params::try_from(&h), h.salt, h.hash)
    else {
        return false;
    };
    let version = h
        .version
        .map_or(Ok(Version::V0x13), Version::try_from)
        .unwrap_or(Version::V0x13);
    let mut salt_buf = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_buf) else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    let n = params.block_count();
    let argon = Argon2::new(algorithm, version, params);
    argon
        .hash_password_into_with_memory(password, salt, &mut out, blocks_for(memory, n))
        .is_ok()
        && bool::from(expected.as_bytes().ct_eq(&out))
}

impl Passwords {
    /// A hasher with these parameters; computes the dummy hash (on the blocking pool).
    pub async fn new(p: PasswordParams) -> Result<Self> {
        let params =
            Params::new(p.memory_kib, p.iterations, p.parallelism, None).map_err(|e| Error::invalid("argon2", e))?;
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let n = match p.max_concurrent {
            0 => std::thread::available_parallelism().map_or(2, usize::from),
            n => n,
        };
        let a = argon.clone();
        let memory = Arc::new(MemoryPool::default());
        let pool = memory.clone();
        let started = Instant::now();
        // This hash's memory is not kept: an idle server holds no argon2 memory.
        let dummy = tokio::task::spawn_blocking(move || {
            let mut blocks = pool.take();
            hash_with(&a, b"playgate dummy password", &mut blocks)
        })
        .await
        .map_err(Error::internal)??;
        let load = Load {
            workers: n,
            max_wait: p.max_wait,
            admitted: AtomicUsize::new(0),
            hash_ns: AtomicU64::new(u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX)),
            refused: AtomicU64::new(0),
        };
        Ok(Passwords {
            argon,
            permits: Arc::new(Semaphore::new(n)),
            dummy: dummy.into(),
            load: Arc::new(load),
            memory,
        })
    }

    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Argon2<'static>, &mut Vec<Block>) -> T + Send + 'static,
    ) -> Result<T> {
        let load = &*self.load;
        let ahead = load.admitted.fetch_add(1, Ordering::Relaxed);
        let _slot = Admitted(load);
        // The wait for a slot plus this check's own hash must fit the bound, with a third
        // of the bound to spare for the variance of hash times on a saturated machine
        // (measured under 256 connections beside a verify load: with no margin 12% of the
        // logins took longer than the bound, with a quarter 3 of 801, with a third none).
        let wait = load.expected_wait(ahead + load.workers);
        if wait + wait / 2 > load.max_wait {
            load.refused.fetch_add(1, Ordering::Relaxed);
            return Err(overloaded(wait));
        }
        // The estimate can be wrong (hash times vary): the bound holds regardless. A check
        // waits for its slot only as long as still leaves time for its own hash (twice
        // the recent average, for a saturated machine), then is refused.
        let own_hash = load.expected_wait(load.workers) * 2;
        let patience = load.max_wait.saturating_sub(own_hash);
        let permit = match tokio::time::timeout(patience, self.permits.clone().acquire_owned()).await {
            Ok(permit) => permit.map_err(Error::internal)?,
            Err(_) => {
                load.refused.fetch_add(1, Ordering::Relaxed);
                return Err(overloaded(load.max_wait));
            }
        };
        let (argon, memory, stats) = (self.argon.clone(), self.memory.clone(), self.load.clone());
        // The permit and the memory go with the hash: if the caller went away, the hash
        // still holds its slot until it ends, so no more than `workers` ever run.
        let out = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let mut blocks = memory.take();
            let started = Instant::now();
            let out = f(&argon, &mut blocks);
            stats.record(started.elapsed());
            memory.put(blocks);
            out
        })
        .await
        .map_err(Error::internal);
        self.memory.clone().release_when_idle();
        out
    }

    /// Whether a stored hash was made under other parameters than the configured ones
    /// (or is not argon2id v19); unreadable hashes never verify, so they are not asked.
    pub fn needs_rehash(&self, phc: &str) -> bool {
        let Ok(h) = PasswordHash::new(phc) else { return false };
        let Ok(params) = Params::try_from(&h) else { return false };
        let want = self.argon.params();
        h.algorithm != argon2::ARGON2ID_IDENT
            || h.version != Some(Version::V0x13.into())
            || (params.m_cost(), params.t_cost(), params.p_cost()) != (want.m_cost(), want.t_cost(), want.p_cost())
    }

    /// After a successful check of `password` against `old`: if `old` was made under other
    /// parameters (an earlier default), hashes the password under the current ones and
    /// hands the hash to `save`, which replaces `old` only if it is still the stored one.
    /// Best effort: when hashing is refused right now (busy) or the save fails, the old
    /// hash stays and the next sign-in tries again.
    pub async fn upgrade(&self, password: &Secret, old: &str, save: impl AsyncFnOnce(String) -> Result<bool>) {
        if !self.needs_rehash(old) {
            return;
        }
        let saved = match self.hash(password).await {
            Ok(new) => save(new).await,
            Err(e) => Err(e),
        };
        if let Err(e) = saved {
            tracing::info!(error = %e, "password hash kept under its old parameters for now");
        }
    }

    /// The argon2id PHC string of a password.
    pub async fn hash(&self, password: &Secret) -> Result<String> {
        let pw = password.expose().as_bytes().to_vec();
        self.blocking(move |a, memory| hash_with(a, &pw, memory)).await?
    }

    /// Whether `password` matches `phc`; with `None` (unknown user) it verifies against
    /// the dummy hash and answers false, taking the same time.
    pub async fn verify(&self, password: &Secret, phc: Option<&str>) -> Result<bool> {
        let pw = password.expose().as_bytes().to_vec();
        let known = phc.is_some();
        let phc = phc.map_or_else(|| self.dummy.to_string(), str::to_owned);
        let ok = self.blocking(move |_, memory| verify_with(&pw, &phc, memory)).await?;
        Ok(ok && known)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hasher of one worker with these costs.
    async fn passwords(memory_kib: u32, iterations: u32) -> Result<Passwords> {
        Passwords::new(PasswordParams {
            memory_kib,
            iterations,
            parallelism: 1,
            max_concurrent: 1,
            ..PasswordParams::default()
        })
        .await
    }

    /// `maker` hashes "correct horse" with the PHC prefix `prefix`, and `p` verifies it.
    async fn verifies(p: &Passwords, maker: &Passwords, prefix: &str) -> Result<()> {
        let h = maker.hash(&Secret::new("correct horse")).await?;
        assert!(h.starts_with(prefix), "{h}");
        assert!(p.verify(&Secret::new("correct horse"), Some(&h)).await?);
        assert!(!p.verify(&Secret::new("wrong horse"), Some(&h)).await?);
        Ok(())
    }

    #[tokio::test]
    async fn hash_and_verify() -> Result<()> {
        let p = passwords(1024, 1).await?;
        verifies(&p, &p, "$argon2id$v=19$m=1024,t=1,p=1$").await?;
        assert!(!p.verify(&Secret::new("playgate dummy password"), None).await?);
        assert!(!p.verify(&Secret::new("x"), Some("not a phc string")).await?);
        // The defaults are one of OWASP's minimum configurations for argon2id.
        let d = PasswordParams::default();
        assert_eq!((d.memory_kib, d.iterations, d.parallelism), (9216, 4, 1));
        // A hash made under other parameters (an earlier default) still verifies, with
        // working memory of its own size.
        verifies(&p, &passwords(2048, 2).await?, "$argon2id$v=19$m=2048,t=2,p=1$").await
    }

    /// The pool frees its arrays once no hash has started for `IDLE_RELEASE`; a hash
    /// starting meanwhile voids the release scheduled before it.
    #[tokio::test(start_paused = true)]
    async fn pool_frees_memory_when_idle() {
        let pool = Arc::new(MemoryPool::default());
        let blocks = pool.take();
        pool.put(blocks);
        pool.clone().release_when_idle();
        tokio::time::sleep(IDLE_RELEASE / 2).await;
        let blocks = pool.take();
        pool.put(blocks);
        pool.clone().release_when_idle();
        tokio::time::sleep(IDLE_RELEASE * 3 / 4).await;
        assert_eq!(pool.held(), 1, "the first release found a later hash");
        tokio::time::sleep(IDLE_RELEASE).await;
        assert_eq!(pool.held(), 0, "freed once idle");
    }

    /// Hashes made by the argon2 crate's own PHC hasher (as earlier versions stored them)
    /// verify, and ours verify with it: the pooled-memory path is the same function.
    #[test]
    fn pooled_memory_hashes_match_the_crate() -> Result<()> {
        use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
        let argon = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(1024, 1, 1, None).map_err(Error::internal)?,
        );
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        let theirs = argon.hash_password(b"pw", &salt).map_err(Error::internal)?.to_string();
        let mut memory = Vec::new();
        assert!(verify_with(b"pw", &theirs, &mut memory));
        assert!(!verify_with(b"pX", &theirs, &mut memory));
        let ours = hash_with(&argon, b"pw", &mut memory)?;
        let parsed = PasswordHash::new(&ours).map_err(Error::internal)?;
        assert!(argon.verify_password(b"pw", &parsed).is_ok());
        assert!(!verify_with(b"pw", "not a hash", &mut memory));
        Ok(())
    }

    /// One hashing worker with a bound of `max_wait_ms`, a hash of "correct horse", and
    /// the worker's slot held by the test. The hash time estimate is fixed at `hash_ms`:
    /// the estimate, not the machine's speed, decides admission.
    async fn one_busy_worker(
        max_wait_ms: u64,
        hash_ms: u64,
    ) -> Result<(Passwords, String, tokio::sync::OwnedSemaphorePermit)> {
        let p = Passwords::new(PasswordParams {
            memory_kib: 1024,
            iterations: 1,
            parallelism: 1,
            max_concurrent: 1,
            max_wait: Duration::from_millis(max_wait_ms),
        })
        .await?;
        let h = p.hash(&Secret::new("correct horse")).await?;
        p.load.hash_ns.store(hash_ms * 1_000_000, Ordering::Relaxed);
        let held = p.permits.clone().acquire_owned().await.map_err(Error::internal)?;
        Ok((p, h, held))
    }

    /// An admitted check whose slot comes too late to hash within `max_wait` is refused
    /// when that becomes certain, not after `max_wait` plus a hash: with a hash estimated
    /// at 500 ms and a bound of 1.5 s, it waits for the slot at most 0.5 s.
    #[tokio::test(flavor = "current_thread", start_paused = true)]
    async fn a_check_waits_for_its_slot_only_while_its_hash_still_fits() -> Result<()> {
        let (p, h, held) = one_busy_worker(1500, 500).await?;
        let started = tokio::time::Instant::now();
        let r = p.verify(&Secret::new("correct horse"), Some(&h)).await;
        assert!(matches!(r, Err(Error::RateLimited { .. })), "{r:?}");
        assert_eq!(
            started.elapsed(),
            Duration::from_millis(500),
            "refused once its hash could not fit"
        );
        drop(held);
        Ok(())
    }

    /// Past what can finish within `max_wait`, checks are refused at once (429 with
    /// Retry-After), not queued: with one worker, a hash estimated at 1 s and a bound of
    /// 1.5 s, a check waiting for the slot is admitted and the nine after it are refused.
    #[tokio::test(flavor = "current_thread")]
    async fn admission_refuses_what_cannot_finish_in_time() -> Result<()> {
        // The first check is admitted and then waits for the held slot.
        let (p, h, held) = one_busy_worker(1500, 1000).await?;
        let first = {
            let (p, h) = (p.clone(), h.clone());
            tokio::spawn(async move { p.verify(&Secret::new("correct horse"), Some(&h)).await })
        };
        tokio::task::yield_now().await;
        assert_eq!(
            p.load.admitted.load(Ordering::Relaxed),
            1,
            "the first check waits for the slot"
        );
        for _ in 0..9 {
            let r = p.verify(&Secret::new("correct horse"), Some(&h)).await;
            assert!(
                matches!(r, Err(Error::RateLimited { retry_after_secs }) if retry_after_secs >= 1),
                "{r:?}"
            );
        }
        drop(held);
        assert!(first.await.map_err(Error::internal)??);
        // Once the queue has drained, checks are admitted again.
        assert!(p.verify(&Secret::new("correct horse"), Some(&h)).await?);
        Ok(())
    }
}
