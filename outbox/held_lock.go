package outbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"

	"github.com/sourceflow-go/sourceflow"
)

// heldLockWait is how long, in seconds, a retry waits on MySQL for another
// instance's attempt on the same destination: longer than one attempt
// (heldAttemptTimeout).
const heldLockWait = 60

// lockDestination takes, in tx, the lock of topic's held rows for
// destination, so that instances relay them one at a time, in order, and
// returns its release, to run before tx ends. Neither lock writes: on
// PostgreSQL a transaction-scoped advisory lock, so the transaction has no
// transaction id while it relays and holds up no reader of the cluster
// (see package sqlbus, "Polling and its cost"); on MySQL a named lock
// (GET_LOCK) of tx's connection, released by the function returned, so
// that the forwarder's writes into the held table never wait for a relay.
func lockDestination(ctx context.Context, tx wsql.ContextExecutor, d sourceflow.Dialect, topic, destination string) (func(), error) {
	key := heldPrefix + topic + "/" + destination
	if d != sourceflow.MySQL {
		_, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", key)
		return func() {}, err
	}
	sum := sha256.Sum256([]byte(key))
	name := "sf_held_" + hex.EncodeToString(sum[:24])
	rows, err := tx.QueryContext(ctx, "SELECT GET_LOCK(?, ?)", name, heldLockWait)
	if err != nil {
		return nil, err
	}
	var got *int64
	if rows.Next() {
		err = rows.Scan(&got)
	}
	err = errors.Join(err, rows.Close())
	if err == nil && (got == nil || *got != 1) {
		err = fmt.Errorf("the lock of the held rows for %q was not granted within %ds", destination, heldLockWait)
	}
	if err != nil {
		return nil, err
	}
	return func() {
		_, _ = tx.ExecContext(context.WithoutCancel(ctx), "DO RELEASE_LOCK(?)", name)
	}, nil
}
