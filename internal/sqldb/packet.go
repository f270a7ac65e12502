package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"

	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
)

// StatementOverheadBytes is what an INSERT of one row adds to the bytes of
// the row's values (statement text, packet and parameter headers), with
// room to spare.
const StatementOverheadBytes = 1024

// RowOverheadBytes is what each row of a multi-row INSERT adds to the
// bytes of its values (its placeholders in the statement, and the type and
// length of each of its values in the prepared statement's execution),
// with room to spare.
const RowOverheadBytes = 64

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
	n atomic.Int64 // 0 until read
}

// Bytes returns the server's max_allowed_packet, read with q on first use
// (and again after a failed read); 0 when the server reports none. No lock
// is held while it reads: callers that start together each read it, and a
// caller reading in its transaction never waits for one that waits for a
// connection of the pool (which that transaction may hold).
func (l *PacketLimit) Bytes(ctx context.Context, q Querier) (int, error) {
	return l.read(func(n *sql.NullInt64) error { return q.QueryRowContext(ctx, packetQuery).Scan(n) })
}

// BytesIn is Bytes read through exec, a watermill-sql executor (the
// transaction of a poll, whose connection it holds).
func (l *PacketLimit) BytesIn(ctx context.Context, exec wsql.ContextExecutor) (int, error) {
	return l.read(func(n *sql.NullInt64) error {
		rows, err := exec.QueryContext(ctx, packetQuery)
		if err != nil {
			return err
		}
		defer func() { _ = rows.Close() }()
		if !rows.Next() {
			if r, ok := rows.(interface{ Err() error }); ok && r.Err() != nil {
				return r.Err()
			}
			return sql.ErrNoRows
		}
		return rows.Scan(n)
	})
}

// Forget drops the limit read, so that the next call reads it again: a
// statement refused for its size, or a connection reset while the driver
// wrote one, may mean the server's limit was lowered since (SET GLOBAL, a
// fail-over to a server configured otherwise).
func (l *PacketLimit) Forget() { l.n.Store(0) }

// packetQuery reads the server's max_allowed_packet.
const packetQuery = "SELECT @@max_allowed_packet"

// read returns the limit kept, or reads it with scan and keeps it.
func (l *PacketLimit) read(scan func(*sql.NullInt64) error) (int, error) {
	if n := l.n.Load(); n > 0 {
		return int(n), nil
	}
	var n sql.NullInt64
	err := scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read max_allowed_packet: %w", err)
	}
	l.n.Store(n.Int64)
	return int(n.Int64), nil
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

// SplitRows splits items, in order, into runs whose rows (of size(item)
// bytes each) fit together in one INSERT within limit, each run as long as
// the limit allows; limit 0 (no limit) keeps them in one run. An item whose
// row does not fit even on its own has a run of its own.
func SplitRows[T any](items []T, size func(T) int, limit int) [][]T {
	if limit <= 0 || len(items) < 2 {
		return [][]T{items}
	}
	var runs [][]T
	start, bytes := 0, StatementOverheadBytes
	for i, it := range items {
		n := size(it) + RowOverheadBytes
		if i > start && bytes+n > limit {
			runs = append(runs, items[start:i])
			start, bytes = i, StatementOverheadBytes
		}
		bytes += n
	}
	return append(runs, items[start:])
}

// EscapedLen is the length of s as go-sql-driver/mysql writes it into a
// statement when it interpolates parameters (interpolateParams=true): each
// NUL, newline, carriage return, backslash, quote and Ctrl-Z takes two
// bytes. A prepared statement sends s unchanged; counting the escapes keeps
// a row check sound in both modes, at the cost of refusing, without
// interpolation, a row within that many bytes of the limit.
func EscapedLen[S ~string | ~[]byte](s S) int {
	n := len(s)
	for i := range len(s) {
		switch s[i] {
		case 0, '\n', '\r', '\\', '\'', '"', 0x1a:
			n++
		}
	}
	return n
}
