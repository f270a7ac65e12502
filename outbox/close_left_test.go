package outbox_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
	"github.com/sourceflow-go/sourceflow/outbox"
)

// leftWarnings returns the lines of logs (at Info: the capture logger has
// no Warn method) that say rows were left in the outbox at Close.
func leftWarnings(logs *watermill.CaptureLoggerAdapter) []watermill.CapturedMessage {
	var out []watermill.CapturedMessage
	for _, m := range logs.Captured()[watermill.InfoLogLevel] {
		if strings.Contains(m.Msg, "not yet forwarded") {
			out = append(out, m)
		}
	}
	return out
}

// A sender that closes its outbox with rows its forwarder has not
// forwarded (a job, a CLI driver, here while its inner transport is down)
// is told so at Close, once, as a warning: how many rows, and that the next
// instance of the same service forwards them.
func TestCloseWarnsOfTheRowsLeftInTheOutbox(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		db := d.open(t)
		service := uniqueName("job")
		d.dropOutbox(t, db, outbox.TopicFor(service))
		channel, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{})
		require.NoError(t, err)
		inner := &outageTransport{ChannelTransport: channel}
		inner.down.Store(true)
		logs := watermill.NewCaptureLogger()
		box, err := outbox.New(outbox.Config{DB: db, Dialect: d.dialect, Transport: inner, Logger: logs})
		require.NoError(t, err)
		ctx := context.Background()
		require.NoError(t, box.Bind(ctx, sourceflow.Binding{Service: service}))
		pub, err := box.Publisher("orders")
		require.NoError(t, err)
		tx, err := db.BeginTx(ctx, nil)
		require.NoError(t, err)
		for i := range 3 {
			msg := message.NewMessage(fmt.Sprintf("m-%d", i), []byte("{}"))
			msg.SetContext(sqldb.ContextWithTx(ctx, db, tx))
			require.NoError(t, pub.Publish("orders", msg))
		}
		require.NoError(t, tx.Commit())
		require.Eventually(t, func() bool { return inner.attempts.Load() >= 1 }, waitFor, 10*time.Millisecond,
			"the forwarder tries the first row")

		require.NoError(t, box.Close())
		require.NoError(t, box.Close())

		warned := leftWarnings(logs)
		require.Len(t, warned, 1, "%v", logs.Captured())
		assert.Contains(t, warned[0].Msg, "3 rows of outbox "+outbox.TopicFor(service)+" not yet forwarded")
		assert.Contains(t, warned[0].Msg, "the next instance of service "+service)
		assert.EqualValues(t, 3, warned[0].Fields["rows"])
	})
}

// An outbox whose forwarder runs in another process (DisableForwarder)
// counts nothing at Close: its rows are that process's to forward.
func TestCloseWithoutAForwarderCountsNothing(t *testing.T) {
	f := fakeDB("")
	inner, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{})
	require.NoError(t, err)
	box, err := outbox.New(outbox.Config{DB: f.Open(t), Dialect: sourceflow.Postgres, Transport: inner, DisableForwarder: true})
	require.NoError(t, err)
	require.NoError(t, box.Bind(context.Background(), sourceflow.Binding{Service: "job"}))
	lookedUp := len(f.Ran("to_regclass"))

	require.NoError(t, box.Close())

	assert.Len(t, f.Ran("to_regclass"), lookedUp, "no table looked up at Close")
}

// Close's count of the rows left is bounded: on a database that stopped
// answering, Close returns once the bound passed, the count logged at
// debug level as not done.
func TestCloseCountsTheRowsLeftWithinItsBound(t *testing.T) {
	outbox.SetLeftCountBound(t, 50*time.Millisecond)
	f := fakeDB("")
	box := newFakeBox(t, f, sourceflow.Postgres, "")
	logs := watermill.NewCaptureLogger()
	outbox.SetLogger(box, logs)
	require.NoError(t, box.Bind(context.Background(), sourceflow.Binding{Service: "job"}))
	f.HangOn("to_regclass") // the count's first statement: whether the outbox table is there

	require.NoError(t, sqldbtest.Within(t, "Close", box.Close))

	assert.Empty(t, leftWarnings(logs))
	var notCounted bool
	for _, m := range logs.Captured()[watermill.DebugLogLevel] {
		notCounted = notCounted || strings.Contains(m.Msg, "could not count the rows left")
	}
	assert.True(t, notCounted, "%v", logs.Captured()[watermill.DebugLogLevel])
}
