package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
)

// StatementOverheadBytes is what an INSERT of one row adds to the bytes of
// the row's values (statement text, packet and parameter headers), with
// room to spare.
const StatementOverheadBytes = 1024

// Querier runs a query: a *sql.DB, *sql.Conn or *sql.Tx.
type Querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// PacketLimit is the largest statement a MySQL server accepts, its
// max_allowed_packet, read once and kept. The server refuses a larger
// statement with error 1153, or, when it closes the connection while the
// driver is still writing, with nothing but "driver: bad connection"; a
// writer checks its rows against it (see CheckPacket) to refuse such a row
// with a clear error instead. The zero value is ready to use and safe for
// concurrent use.
type PacketLimit struct {
	mu sync.Mutex
	n  int // 0 until read
}

// Bytes returns the server's max_allowed_packet, read with q on first use
// (and again after a failed read); 0 when the server reports none.
func (l *PacketLimit) Bytes(ctx context.Context, q Querier) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n > 0 {
		return l.n, nil
	}
	var n sql.NullInt64
	err := q.QueryRowContext(ctx, "SELECT @@max_allowed_packet").Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("sqldb: read max_allowed_packet: %w", err)
	}
	l.n = int(n.Int64)
	return l.n, nil
}

// CheckPacket returns an error saying that a row of rowBytes bytes, written
// in an INSERT of its own, does not fit in a limit of limit bytes, and nil
// when it fits or limit is 0 (no limit).
func CheckPacket(rowBytes, limit int) error {
	if limit > 0 && rowBytes+StatementOverheadBytes > limit {
		return fmt.Errorf("its row of %d bytes does not fit in the server's max_allowed_packet of %d bytes", rowBytes, limit)
	}
	return nil
}
