package outbox

import (
	"context"
	"strconv"

	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"

	"github.com/sourceflow-go/sourceflow"
)

// heldDestinationsBound is the most destinations one pass of the held rows
// reads; the others wait for a later pass, which reads on after the last
// destination this one read (heldCursor). A variable for tests.
var heldDestinationsBound = 1000

// heldCursor is where a pass of the held rows reads on from: the last
// destination the previous pass read (on MySQL, its destination_key), or
// "" to read from the first. A pass that reads fewer than
// heldDestinationsBound destinations read up to the last, so the next one
// wraps around to the first: every destination with held rows gets its
// turn, however many others are held and stay stuck.
type heldCursor string

// destinations returns the destinations that have held rows after after,
// at most heldDestinationsBound in order, and the cursor the next pass
// reads on from, reading a
// row or two of each through an index, however many rows each holds (a
// SELECT DISTINCT reads every held row, each second). On PostgreSQL one
// recursive query skips from each destination to the next through the
// (destination, seq) index. On MySQL, whose index of destination holds
// only its first 191 characters, a query per destination skips from each
// destination_key (the destination's SHA-256) to the next through the
// (destination_key, seq) index: MySQL reads the next key of a correlated
// subquery by scanning the index up to it, and picks a loose index scan of
// a GROUP BY only when its statistics are fresh.
func (h heldTable) destinations(ctx context.Context, exec wsql.ContextExecutor, after heldCursor) ([]string, heldCursor, error) {
	if h.dialect == sourceflow.MySQL {
		return h.destinationsByKey(ctx, exec, after)
	}
	// #nosec G202 -- h.name is a quoted valid topic.
	rows, err := exec.QueryContext(ctx, "WITH RECURSIVE d (destination) AS ((SELECT destination FROM "+h.name+
		" WHERE destination > $1 ORDER BY destination LIMIT 1) UNION ALL SELECT (SELECT held.destination FROM "+h.name+" held"+
		" WHERE held.destination > d.destination ORDER BY held.destination LIMIT 1) FROM d WHERE d.destination IS NOT NULL)"+
		" SELECT destination FROM d WHERE destination IS NOT NULL LIMIT "+strconv.Itoa(heldDestinationsBound), string(after))
	if err != nil {
		return nil, "", err
	}
	defer func() { _ = rows.Close() }()
	var out []string
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			return nil, "", err
		}
		out = append(out, d)
	}
	if len(out) < heldDestinationsBound {
		return out, "", rowsErr(rows)
	}
	return out, heldCursor(out[len(out)-1]), rowsErr(rows)
}

// destinationsByKey is destinations on MySQL.
func (h heldTable) destinationsByKey(ctx context.Context, exec wsql.ContextExecutor, after heldCursor) ([]string, heldCursor, error) {
	var out []string
	key := []byte(after)
	for len(out) < heldDestinationsBound {
		d, next, err := h.nextDestination(ctx, exec, key)
		if err != nil || next == nil {
			return out, "", err
		}
		out, key = append(out, d), next
	}
	return out, heldCursor(key), nil
}

// nextDestination returns the destination whose destination_key follows
// key, and its key; a nil key when none does.
func (h heldTable) nextDestination(ctx context.Context, exec wsql.ContextExecutor, key []byte) (string, []byte, error) {
	// #nosec G202 -- as above.
	rows, err := exec.QueryContext(ctx, "SELECT destination_key, destination FROM "+h.name+
		" WHERE destination_key > ? ORDER BY destination_key LIMIT 1", key)
	if err != nil {
		return "", nil, err
	}
	defer func() { _ = rows.Close() }()
	if !rows.Next() {
		return "", nil, rowsErr(rows)
	}
	var d string
	next := []byte{}
	err = rows.Scan(&next, &d)
	return d, next, err
}

// rowsErr is the error that ended rows, if any: a failure to read them
// is an error, not their end.
func rowsErr(rows wsql.Rows) error {
	if r, ok := rows.(interface{ Err() error }); ok {
		return r.Err()
	}
	return nil
}
