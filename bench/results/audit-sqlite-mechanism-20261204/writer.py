# Writer-thread cost of one refresh with and without its audit event, outside HTTP:
# batches of K jobs (SAVEPOINT; UPDATE a random session; INSERT its event; RELEASE), one
# COMMIT per batch, synchronous=FULL, WAL, autocheckpoint 1000, as the server's writer does.
import os, random, sqlite3, sys, tempfile, time, uuid
variant, K, N = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
d = tempfile.mkdtemp(dir=os.environ.get("TMPDIR", "/tmp"))
db = sqlite3.connect(os.path.join(d, "m.db"), isolation_level=None)
db.execute("PRAGMA journal_mode=WAL"); db.execute("PRAGMA synchronous=FULL"); db.execute("PRAGMA temp_store=MEMORY"); db.execute("PRAGMA cache_size=%d" % int(os.environ.get("CACHE", "-2000"))); db.execute("PRAGMA wal_autocheckpoint=%d" % int(os.environ.get("CKPT", "1000")))
db.execute("CREATE TABLE sessions (id TEXT PRIMARY KEY, game_id INT, player_id INT, state TEXT, refresh_hash TEXT, prev_refresh_hash TEXT, rotated_at INT, last_seen_at INT, expires_at INT, created_at INT, last_event INT)")
db.execute("CREATE TABLE audit_events (id INTEGER PRIMARY KEY AUTOINCREMENT, at BIGINT NOT NULL, action TEXT NOT NULL, actor TEXT NOT NULL, game_id BIGINT, subject TEXT, ip TEXT, user_agent TEXT, detail TEXT NOT NULL, prev_event INT)")
if variant in ("full", "nogame", "seqsubject"): db.execute("CREATE INDEX audit_events_subject ON audit_events (subject, id)")
if variant in ("full", "nosubject", "seqsubject", "chain"): db.execute("CREATE INDEX audit_events_game ON audit_events (game_id, id)")
if variant in ("full", "nosubject", "nogame", "noidx", "seqsubject", "chain"): db.execute("CREATE INDEX audit_events_actor ON audit_events (actor, id) WHERE actor NOT LIKE 'game:%'")
if variant == "chain": db.execute("CREATE INDEX audit_events_subject ON audit_events (subject, id) WHERE actor NOT LIKE 'game:%'")
if variant == "free": db.execute("CREATE TRIGGER audit_free BEFORE INSERT ON audit_events BEGIN SELECT RAISE(IGNORE); END")
ids = [str(uuid.uuid4()) for _ in range(20000)]
db.execute("BEGIN")
for i, s in enumerate(ids):
    db.execute("INSERT INTO sessions VALUES (?,1,?,'active',?,NULL,0,0,0,0,NULL)", (s, i, uuid.uuid4().hex))
db.execute("COMMIT")
# pre-fill the log as a running server would have it
db.execute("BEGIN")
for i in range(200000):
    db.execute("INSERT INTO audit_events (at, action, actor, game_id, subject, ip, user_agent, detail) VALUES (?,?,?,?,?,?,?,?)",
               (i, "session.refreshed", "game:1", 1, "player:u%d" % random.randrange(20000), "127.0.0.1", "wrk", '{"session":"%s"}' % ids[i % 20000]))
db.execute("COMMIT")
upd = "UPDATE sessions SET refresh_hash=?, last_seen_at=?, expires_at=? WHERE id=? AND state='active'"
ins = "INSERT INTO audit_events (at, action, actor, game_id, subject, ip, user_agent, detail) VALUES (?,?,?,?,?,?,?,?)"
t0 = time.perf_counter(); c0 = time.process_time()
done = 0
while done < N:
    db.execute("BEGIN IMMEDIATE")
    for _ in range(K):
        j = random.randrange(20000)
        db.execute("SAVEPOINT job")
        db.execute(upd, (uuid.uuid4().hex, done, done + 1000, ids[j]))
        if variant == "chain":
            db.execute(ins.replace(") VALUES (?,?,?,?,?,?,?,?)", ", prev_event) VALUES (?,?,?,?,?,?,?,?,(SELECT last_event FROM sessions WHERE id = ?))"),
                       (done, "session.refreshed", "game:1", 1, "player:u%d" % j, "127.0.0.1", "wrk/4.1", '{"session":"%s"}' % ids[j], ids[j]))
            db.execute("UPDATE sessions SET last_event = last_insert_rowid() WHERE id = ?", (ids[j],))
        elif variant != "none":
            db.execute(ins, (done, "session.refreshed", "game:1", 1, ("player:z%09d" % done) if variant == "seqsubject" else "player:u%d" % j, "127.0.0.1", "wrk/4.1", '{"session":"%s"}' % ids[j]))
        db.execute("RELEASE job")
        done += 1
    db.execute("COMMIT")
wall = time.perf_counter() - t0; cpu = time.process_time() - c0
print(f"{variant:10s} K={K} jobs/s={N/wall:8.0f} wall_us/job={wall/N*1e6:6.1f} cpu_us/job={cpu/N*1e6:6.1f} wal={os.path.getsize(os.path.join(d,'m.db-wal'))//1024}KiB")
import shutil; shutil.rmtree(d)
