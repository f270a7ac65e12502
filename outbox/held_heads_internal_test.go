package outbox

import (
	"context"
	"errors"
	"testing"

	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow"
)

// brokenRows are rows whose reading fails before their first: the
// connection lost mid-read, say.
type brokenRows struct{ err error }

func (brokenRows) Scan(...any) error { return nil }
func (brokenRows) Close() error      { return nil }
func (brokenRows) Next() bool        { return false }
func (r brokenRows) Err() error      { return r.err }

// brokenExecutor answers every query with brokenRows.
type brokenExecutor struct{ err error }

func (e brokenExecutor) ExecContext(context.Context, string, ...any) (wsql.Result, error) {
	return nil, e.err
}

func (e brokenExecutor) QueryContext(context.Context, string, ...any) (wsql.Rows, error) {
	return brokenRows(e), nil
}

// A failure to read a destination's held rows is an error, not their end:
// the relay would take the destination for drained and end.
func TestAFailureToReadTheHeldRowsIsAnError(t *testing.T) {
	lost := errors.New("connection lost")
	rows, err := newHeldTable(sourceflow.Postgres, "outbox_t").heads(context.Background(), brokenExecutor{lost}, "a", heldBatch)
	assert.ErrorIs(t, err, lost)
	assert.Empty(t, rows)
}
