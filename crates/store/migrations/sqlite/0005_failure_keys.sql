-- Failure counters keep only keyed hashes of what they count (HMAC-SHA256 under the master
-- key of e.g. a typed user name or e-mail), and each window records when it ends so that
-- expired windows can be deleted. The old rows carried names in clear and cannot be hashed
-- here (SQL has no master key): they are dropped, which resets the running windows once.
-- Keep in step with ../postgres/0005_failure_keys.sql.

DROP TABLE failure_counts;

CREATE TABLE failure_counts (
    bucket       TEXT   NOT NULL,
    window_start BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    count        BIGINT NOT NULL,
    PRIMARY KEY (bucket, window_start)
);
CREATE INDEX failure_counts_expiry ON failure_counts (expires_at);

-- Background jobs that one node at a time runs: a node runs the job when it takes the
-- lease (held_until in the past), holding it until held_until.
CREATE TABLE job_leases (
    name       TEXT   PRIMARY KEY,
    held_until BIGINT NOT NULL
);
