package outbox

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/sourceflow-go/sourceflow"
)

// errHeldLockTaken is lockDestination's answer when another session holds
// the lock: that session relays the destination's held rows.
var errHeldLockTaken = errors.New("outbox: another session relays these held rows")

// lockDestination takes, on conn's session, the lock of topic's held rows
// for destination, so that instances relay them one at a time, in order,
// and returns its release, which the caller runs once its transaction on
// conn ended. It does not wait: when another session holds the lock
// (another instance relaying them, or the session of one that died that
// the server has not yet found dead), it returns errHeldLockTaken, and the
// caller leaves the destination to that session and goes on with the
// others. Neither lock writes: on PostgreSQL an advisory lock, so the
// relaying transaction has no transaction id until it deletes the row and
// holds up no reader of the cluster meanwhile (see package sqlbus,
// "Polling and its cost"); on MySQL a named lock (GET_LOCK), so the
// forwarder's writes into the held table never wait for a relay. A
// release that fails discards the connection: its session, and the lock
// with it, ends.
func lockDestination(ctx context.Context, conn *sql.Conn, d sourceflow.Dialect, topic, destination string) (func(), error) {
	key := heldPrefix + topic + "/" + destination
	lock, unlock := "SELECT CASE WHEN pg_try_advisory_lock(hashtextextended($1, 0)) THEN 1 ELSE 0 END", "SELECT pg_advisory_unlock(hashtextextended($1, 0))"
	if d == sourceflow.MySQL {
		sum := sha256.Sum256([]byte(key))
		key = "sf_held_" + hex.EncodeToString(sum[:24]) // MySQL names at most 64 characters
		lock, unlock = "SELECT GET_LOCK(?, 0)", "SELECT RELEASE_LOCK(?)"
	}
	var got sql.NullInt64
	if err := conn.QueryRowContext(ctx, lock, key).Scan(&got); err != nil {
		return nil, err
	}
	if !got.Valid {
		return nil, fmt.Errorf("the lock of the held rows for %q: the database returned NULL", destination)
	}
	if got.Int64 != 1 {
		return nil, errHeldLockTaken
	}
	return func() {
		var released sql.NullBool
		err := conn.QueryRowContext(context.WithoutCancel(ctx), unlock, key).Scan(&released)
		if err != nil || !released.Valid || !released.Bool {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}, nil
}
