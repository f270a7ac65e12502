package outbox

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"fmt"

	"github.com/sourceflow-go/sourceflow"
)

// heldLockWait is how long, in seconds, a retry waits on MySQL for another
// instance's attempt on the same destination: longer than one attempt
// (heldAttemptTimeout).
const heldLockWait = 60

// lockDestination takes, on conn's session, the lock of topic's held rows
// for destination, so that instances relay them one at a time, in order,
// and returns its release, which the caller runs once its transaction on
// conn ended. Neither lock writes: on PostgreSQL an advisory lock, so the
// relaying transaction has no transaction id until it deletes the row and
// holds up no reader of the cluster meanwhile (see package sqlbus,
// "Polling and its cost"); on MySQL a named lock (GET_LOCK), so the
// forwarder's writes into the held table never wait for a relay. A
// release that fails discards the connection: its session, and the lock
// with it, ends.
func lockDestination(ctx context.Context, conn *sql.Conn, d sourceflow.Dialect, topic, destination string) (func(), error) {
	key := heldPrefix + topic + "/" + destination
	lock, unlock := "SELECT 1 FROM pg_advisory_lock(hashtextextended($1, 0))", "SELECT pg_advisory_unlock(hashtextextended($1, 0))"
	var args []any
	if d == sourceflow.MySQL {
		sum := sha256.Sum256([]byte(key))
		key = "sf_held_" + hex.EncodeToString(sum[:24]) // MySQL names at most 64 characters
		lock, unlock, args = "SELECT GET_LOCK(?, ?)", "SELECT RELEASE_LOCK(?)", []any{heldLockWait}
	}
	var got sql.NullInt64
	if err := conn.QueryRowContext(ctx, lock, append([]any{key}, args...)...).Scan(&got); err != nil {
		return nil, err
	}
	if d == sourceflow.MySQL && got.Int64 != 1 {
		return nil, fmt.Errorf("the lock of the held rows for %q was not granted within %ds", destination, heldLockWait)
	}
	return func() {
		var released sql.NullBool
		err := conn.QueryRowContext(context.WithoutCancel(ctx), unlock, key).Scan(&released)
		if err != nil || !released.Valid || !released.Bool {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}, nil
}
