package outbox

import (
	"context"
	"errors"
	"testing"

	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow"
)

// failingRows are rows whose reading fails (a connection cut mid-result):
// Next reports no row, Err the failure.
type failingRows struct{ err error }

func (failingRows) Scan(...any) error { return nil }
func (failingRows) Close() error      { return nil }
func (failingRows) Next() bool        { return false }
func (r failingRows) Err() error      { return r.err }

// failingTx answers every query with failingRows.
type failingTx struct {
	wsql.Tx
	err error
}

func (t failingTx) QueryContext(context.Context, string, ...any) (wsql.Rows, error) {
	return failingRows{err: t.err}, nil
}

// A poll whose look for held rows fails to read the answer is told of the
// failure, not that the destination has none: its row would go out before
// the held ones.
func TestAFailedReadOfHeldRowsIsNoAnswer(t *testing.T) {
	cut := errors.New("connection reset by peer")
	h := &holder{table: newHeldTable(sourceflow.Postgres, "t")}
	_, err := h.holds(context.Background(), failingTx{err: cut}, "stuck")
	assert.ErrorIs(t, err, cut)
}

// A failure to read a destination's held rows is an error, not their end:
// the relay would take the destination for drained and end.
func TestAFailureToReadTheHeldRowsIsAnError(t *testing.T) {
	cut := errors.New("connection reset by peer")
	rows, err := newHeldTable(sourceflow.Postgres, "t").heads(context.Background(), failingTx{err: cut}, "a", heldBatch)
	assert.ErrorIs(t, err, cut)
	assert.Empty(t, rows)
}
