//go:build integration

package integration

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// Note is a command carrying free text.
type Note struct {
	Text string `json:"text"`
}

// TestSQLBusOversizeMessageIsRefusedAndOthersFlow sends, on MySQL, a
// command larger than the server's max_allowed_packet between two others:
// its send fails, for good, with ErrInvalidMessage naming the limit and the
// destination (never the server's bare "bad connection"), it reaches no
// handler and leaves no dead letter, and the commands before and after it
// are handled, each applied once, as is one just within the limit.
// (PostgreSQL
// holds payloads up to 1 GB, beyond any message a service sends.)
func TestSQLBusOversizeMessageIsRefusedAndOthersFlow(t *testing.T) {
	d := sourceflow.MySQL
	db := sqlbusDB(t, d, "SOURCEFLOW_MYSQL_DSN")
	var packet int
	require.NoError(t, db.QueryRow("SELECT @@max_allowed_packet").Scan(&packet))
	queue := sqlbusName("big", "")
	dropSQLBusTables(t, d, db, queue)
	runs := &ledger{}
	svc := sqlbusService(t, sqlbusConfig(d, db), cqrs.ServiceConfig{Name: "big-worker", Listen: []string{queue},
		HandlerMiddleware: []message.HandlerMiddleware{memoryIdempotency(t)}})
	require.NoError(t, cqrs.RegisterCommand[Note](svc, "model.Note", queue))
	saga := cqrs.NewSaga[Payment](svc, "payment")
	require.NoError(t, cqrs.Handle(saga, func(_ context.Context, s *Payment, _ Note, env cqrs.Envelope) ([]any, error) {
		runs.add(svc.Name(), hPay, env)
		s.Commands++
		return nil, nil
	}))
	startModel(t, svc)

	agg, ctx := cqrs.NewAggregate(svc, "payment"), context.Background()
	before, err := agg.Send(ctx, "before", Note{Text: "small"})
	require.NoError(t, err)
	_, err = agg.Send(ctx, "big", Note{Text: strings.Repeat("n", packet+1)})
	require.ErrorIs(t, err, sqlbus.ErrInvalidMessage, "a command over max_allowed_packet cannot be stored")
	assert.True(t, sourceflow.IsPermanent(err), "no retry can store it")
	assert.Contains(t, err.Error(), "max_allowed_packet")
	assert.Contains(t, err.Error(), queue)
	t.Logf("oversize send: %v", err)
	after, err := agg.Send(ctx, "after", Note{Text: "small"})
	require.NoError(t, err, "the destination takes messages after the refused one")
	largest, err := agg.Send(ctx, "largest", Note{Text: strings.Repeat("n", packet-4096)})
	require.NoError(t, err, "a command within the limit is stored")

	want := []string{before.MessageID, after.MessageID, largest.MessageID}
	require.Eventually(t, func() bool { return len(runs.messageIDs(svc.Name(), hPay)) >= len(want) }, 30*time.Second, 10*time.Millisecond,
		"the commands around the oversize one are handled")
	assert.ElementsMatch(t, want, runs.messageIDs(svc.Name(), hPay))
	for _, entity := range []string{"before", "after", "largest"} {
		assert.Equal(t, 1, storedPayment(t, saga, entity).Commands, "%s applied once", entity)
	}
	_, found, err := saga.Load(ctx, "big")
	require.NoError(t, err)
	assert.False(t, found, "the refused command reached no handler")
	dead, _, err := sqlbus.DeadLetters(ctx, sqlbusConfig(d, db), queue, sqlbus.DeadLetterQuery{Max: 1000})
	require.NoError(t, err)
	assert.Empty(t, dead, "a refused send leaves nothing to dead-letter")
}
