package outbox_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
	"github.com/sourceflow-go/sourceflow/outbox"
)

// A look at the earlier default outbox that the database leaves unanswered
// ends after a bound, as each database call of the forwarder does, instead
// of holding a connection of the pool until Close: the watch goes on to its
// next tick.
func TestLegacyWatchBoundsEachLook(t *testing.T) {
	f := fakeDB("")
	outbox.SetLegacyLookBound(t, 50*time.Millisecond)
	inner, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{})
	require.NoError(t, err)
	box, err := outbox.New(outbox.Config{DB: f.Open(t), Dialect: sourceflow.Postgres, Transport: inner, DisableForwarder: true})
	require.NoError(t, err)
	ticks := make(chan time.Time)
	outbox.SetLegacyTicks(box, ticks)
	require.NoError(t, box.Bind(context.Background(), sourceflow.Binding{Service: "billing"}))
	t.Cleanup(func() { assert.NoError(t, box.Close()) })
	require.NotNil(t, outbox.LegacyWatchDone(box), "a look that failed counts as the table existing: it is watched")

	f.HangOn("to_regclass")
	send := func(what string) {
		select {
		case ticks <- time.Now():
		case <-time.After(sqldbtest.HangBound):
			t.Fatalf("the watch took no %s tick: its look hangs", what)
		}
	}
	send("first")
	select {
	case q := <-f.Hanging:
		assert.Contains(t, q, "to_regclass", "the look hangs")
	case <-time.After(sqldbtest.HangBound):
		t.Fatal("the look after the first tick did not reach the database")
	}
	send("second")
}
