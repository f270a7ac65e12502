package sqlstore

import (
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// queries holds the statements of one dialect for one table. Placeholders
// are written as "?" and rebound by the dialect ($1, $2, … on PostgreSQL);
// arguments are passed in textual order.
type queries struct {
	schema   []string
	claim    string // PostgreSQL, SQLite: RETURNING token when acquired
	returns  bool   // whether claim returns the token
	lookup   string // status, token, payload_hash of the live record
	complete string
	extend   string
	release  string
	// held counts the in-progress rows of (consumer, message_id, token); used
	// on MySQL, whose affected rows count changed rows, not matched ones.
	held    string
	cleanup string
	// duration converts a lease or TTL into the argument the dialect's
	// "now plus" expression takes.
	duration func(time.Duration) any
}

const columns = "(consumer, message_id, status, token, payload_hash, expires_at)"

func newQueries(d sourceflow.Dialect, table string) queries {
	var q queries
	switch d {
	case sourceflow.Postgres:
		q = postgresQueries(table)
	case sourceflow.MySQL:
		q = mysqlQueries(table)
	default:
		q = sqliteQueries(table)
	}
	for _, p := range []*string{&q.claim, &q.lookup, &q.complete, &q.extend, &q.held, &q.release, &q.cleanup} {
		*p = sqldb.Rebind(d, *p)
	}
	return q
}

func postgresQueries(t string) queries {
	now, plus := "now()", "now() + make_interval(secs => ?)"
	q := commonQueries(t, now, plus)
	q.schema = []string{
		fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s (
	consumer VARCHAR(191) NOT NULL,
	message_id VARCHAR(191) NOT NULL,
	status SMALLINT NOT NULL,
	token VARCHAR(64) NOT NULL,
	payload_hash VARCHAR(128) NOT NULL,
	expires_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (consumer, message_id))`, t),
		fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s ON %s (expires_at)`, indexName(t), t),
	}
	q.claim = fmt.Sprintf(`INSERT INTO %s AS r %s VALUES (?, ?, 0, ?, ?, %s)
ON CONFLICT (consumer, message_id) DO UPDATE SET status = 0, token = EXCLUDED.token,
	payload_hash = EXCLUDED.payload_hash, expires_at = EXCLUDED.expires_at
WHERE r.expires_at <= %s
RETURNING r.token`, t, columns, plus, now)
	q.returns = true
	// The condition is repeated outside the subquery: a row a claim takes
	// over while the DELETE waits for its lock is read again after the
	// claim commits, and only that outer condition is checked again.
	q.cleanup = fmt.Sprintf(`DELETE FROM %[1]s WHERE (consumer, message_id) IN
	(SELECT consumer, message_id FROM %[1]s WHERE %[2]s LIMIT ?) AND %[2]s`, t,
		cleanable(now, fmt.Sprintf("now() - make_interval(secs => %d)", retained.Milliseconds()/1000)))
	q.duration = func(d time.Duration) any { return d.Seconds() }
	return q
}

func mysqlQueries(t string) queries {
	now, plus := "UTC_TIMESTAMP(6)", "UTC_TIMESTAMP(6) + INTERVAL ? MICROSECOND"
	q := commonQueries(t, now, plus)
	q.schema = []string{fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s (
	consumer VARCHAR(191) NOT NULL,
	message_id VARCHAR(191) NOT NULL,
	status SMALLINT NOT NULL,
	token VARCHAR(64) NOT NULL,
	payload_hash VARCHAR(128) NOT NULL,
	expires_at DATETIME(6) NOT NULL,
	PRIMARY KEY (consumer, message_id),
	INDEX %s (expires_at)
) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`, t, indexName(t))}
	// Assignments run left to right and later ones see earlier results, so
	// expires_at, which every condition reads, is assigned last.
	expired := "expires_at <= " + now
	q.claim = fmt.Sprintf(`INSERT INTO %s %s VALUES (?, ?, 0, ?, ?, %s)
ON DUPLICATE KEY UPDATE
	token = IF(%[4]s, ?, token),
	payload_hash = IF(%[4]s, ?, payload_hash),
	status = IF(%[4]s, 0, status),
	expires_at = IF(%[4]s, %[3]s, expires_at)`, t, columns, plus, expired)
	q.cleanup = fmt.Sprintf(`DELETE FROM %s WHERE %s ORDER BY expires_at LIMIT ?`, t,
		cleanable(now, fmt.Sprintf("%s - INTERVAL %d SECOND", now, retained.Milliseconds()/1000)))
	q.duration = func(d time.Duration) any { return d.Microseconds() }
	return q
}

func sqliteQueries(t string) queries {
	now := "CAST(unixepoch('subsec') * 1000 AS INTEGER)"
	plus := now + " + ?"
	q := commonQueries(t, now, plus)
	schema, bare := "", t
	if i := strings.IndexByte(t, '.'); i >= 0 {
		schema, bare = t[:i+1], t[i+1:]
	}
	q.schema = []string{
		fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s (
	consumer TEXT NOT NULL,
	message_id TEXT NOT NULL,
	status INTEGER NOT NULL,
	token TEXT NOT NULL,
	payload_hash TEXT NOT NULL,
	expires_at INTEGER NOT NULL,
	PRIMARY KEY (consumer, message_id))`, t),
		fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s%s ON %s (expires_at)`, schema, indexName(bare), bare),
	}
	q.claim = fmt.Sprintf(`INSERT INTO %s %s VALUES (?, ?, 0, ?, ?, %s)
ON CONFLICT (consumer, message_id) DO UPDATE SET status = 0, token = excluded.token,
	payload_hash = excluded.payload_hash, expires_at = excluded.expires_at
WHERE expires_at <= %s
RETURNING token`, t, columns, plus, now)
	q.returns = true
	q.cleanup = fmt.Sprintf(`DELETE FROM %[1]s WHERE rowid IN
	(SELECT rowid FROM %[1]s WHERE %[2]s LIMIT ?)`, t,
		cleanable(now, fmt.Sprintf("%s - %d", now, retained.Milliseconds())))
	q.duration = func(d time.Duration) any { return d.Milliseconds() }
	return q
}

// retained is how long past its lease an in-progress row is kept.
const retained = idempotency.LapsedLeaseRetention

// cleanable is the condition of the rows cleanup deletes: completed rows
// whose TTL ended (now), and in-progress rows whose lease ended before
// lapsed, so that a holder delayed past its lease may still complete.
func cleanable(now, lapsed string) string {
	return fmt.Sprintf("expires_at <= %s AND (status = 1 OR expires_at <= %s)", now, lapsed)
}

// commonQueries fills the statements whose text only differs in the clock
// expressions. Argument orders: lookup (consumer, message_id); complete (ttl,
// consumer, message_id, token); extend (lease, consumer, message_id, token);
// release and held (consumer, message_id, token).
func commonQueries(t, now, plus string) queries {
	return queries{
		lookup: fmt.Sprintf(`SELECT status, token, payload_hash FROM %s
WHERE consumer = ? AND message_id = ? AND expires_at > %s`, t, now),
		complete: fmt.Sprintf(`UPDATE %s SET status = 1, expires_at = %s
WHERE consumer = ? AND message_id = ? AND token = ?`, t, plus),
		extend: fmt.Sprintf(`UPDATE %s SET expires_at = %s
WHERE consumer = ? AND message_id = ? AND token = ? AND status = 0`, t, plus),
		held: fmt.Sprintf(`SELECT COUNT(*) FROM %s
WHERE consumer = ? AND message_id = ? AND token = ? AND status = 0`, t),
		release: fmt.Sprintf(`DELETE FROM %s
WHERE consumer = ? AND message_id = ? AND token = ? AND status = 0`, t),
	}
}

// indexName names the expiry index of table. A name over 63 bytes, the
// longest PostgreSQL keeps and MySQL takes, is cut and told apart from other
// cut names by a hash of the whole.
func indexName(table string) string {
	const most = 63
	name := strings.ReplaceAll(table, ".", "_") + "_expires_at_idx"
	if len(name) <= most {
		return name
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(name))
	return fmt.Sprintf("%s_%08x_idx", name[:most-len("_01234567_idx")], h.Sum32())
}
