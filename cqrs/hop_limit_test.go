package cqrs_test

import (
	"context"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/cqrstest"
)

type (
	loopPing   struct{ N int }
	loopPinged struct{ N int }
	loopState  struct{ Pings int }
)

// A causation loop: the saga raises an event for each command, and the
// aggregate reacts to the event by sending the command again. The hop
// count grows by one each time a handler sends or raises; past the limit
// the send is refused, so the command whose handling would go on looping
// is dead-lettered with the reason instead of looping for ever, and the
// service goes on handling other messages. On the synchronous transport
// too: the reaction's send back to the saga's destination, which its chain
// is delivering to, is handed over rather than waited for, so Send
// returns and the loop goes on behind it until the limit.
func TestCausationLoopStopsAtTheHopLimit(t *testing.T) {
	for _, tc := range []struct {
		name          string
		maxHops, want int
		async         bool
	}{
		{"default", 0, cqrs.DefaultMaxHops, true},
		{"configured", 6, 6, true},
		{"synchronous", 0, cqrs.DefaultMaxHops, false},
		{"synchronous configured", 6, 6, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: tc.async, CloseTimeout: time.Second})
			require.NoError(t, err)
			t.Cleanup(func() { _ = tr.Close() })
			saga, echoed := loopService(t, cqrs.ServiceConfig{Name: "loop", Transport: tr, MaxHops: tc.maxHops})
			// A Send waiting on itself would wait out this deadline.
			sendCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			_, err = saga.Send(sendCtx, "p-1", loopPing{})
			require.NoError(t, err)
			require.EventuallyWithT(t, func(c *assert.CollectT) {
				assert.Len(c, tr.DeadLetters(), 1)
			}, 10*time.Second, 5*time.Millisecond, "the loop stops at the hop limit")
			dead := tr.DeadLetters()[0]
			assert.Equal(t, 1, dead.Deliveries, "a loop is a permanent failure")
			assert.Contains(t, dead.Reason, "cqrs: hop limit exceeded")
			env, err := cqrs.EnvelopeOf(dead.Message)
			require.NoError(t, err)
			assert.Equal(t, "loop.Ping", env.Type)
			assert.Equal(t, tc.want, env.Hops, "the last command the limit lets through, whose event would pass it")

			_, err = saga.Send(ctx, "p-2", loopPing{N: -1})
			require.NoError(t, err)
			require.EventuallyWithT(t, func(c *assert.CollectT) {
				assert.Len(c, tr.DeadLetters(), 1)
				assert.Len(c, echoed.all(), tc.want/2+1, "the loop's events at hops 1, 3 … and the later one")
			}, 10*time.Second, 5*time.Millisecond, "a message after the loop is handled")
		})
	}
}

// loopService starts a service whose saga "ping" and aggregate "echo" loop
// for ever on commands of a positive N, and returns the aggregate sending
// to the saga and the events the aggregate reacted to.
func loopService(t *testing.T, cfg cqrs.ServiceConfig) (*cqrs.Aggregate, *recorder[loopPinged]) {
	t.Helper()
	cfg.Listen = []string{"pings", "pinged"}
	h := cqrstest.New(t, cfg)
	h.Must(cqrs.RegisterCommand[loopPing](h.Service, "loop.Ping", "pings"))
	h.Must(cqrs.RegisterEvent[loopPinged](h.Service, "loop.Pinged", "pinged"))
	h.Must(cqrs.Handle(cqrs.NewSaga[loopState](h.Service, "ping"), func(_ context.Context, s *loopState, c loopPing, _ cqrs.Envelope) ([]any, error) {
		s.Pings++
		return []any{loopPinged(c)}, nil
	}))
	var echoed recorder[loopPinged]
	h.Must(cqrs.React(cqrs.NewAggregate(h.Service, "echo"), func(ctx context.Context, a *cqrs.Aggregate, e loopPinged, env cqrs.Envelope) error {
		echoed.add(e)
		if e.N < 0 {
			return nil // a flow that does not loop
		}
		_, err := a.Send(ctx, env.EntityID, loopPing{N: e.N + 1})
		return err
	}))
	h.Start()
	return cqrs.NewAggregate(h.Service, "ping"), &echoed
}

// A negative hop limit is a configuration mistake.
func TestNegativeMaxHopsIsRefused(t *testing.T) {
	_, err := cqrs.NewService(cqrs.ServiceConfig{Name: "loop", MaxHops: -1})
	require.ErrorContains(t, err, "cqrs: ServiceConfig.MaxHops")
}

// A hop count that is not a non-negative integer is a malformed envelope.
func TestMalformedHopCountIsAnEnvelopeError(t *testing.T) {
	for _, hops := range []string{"-1", "two", "1.5"} {
		msg := message.NewMessage("m-1", nil)
		msg.Metadata.Set(sourceflow.MetaType, "loop.Ping")
		msg.Metadata.Set(sourceflow.MetaHops, hops)
		_, err := cqrs.EnvelopeOf(msg)
		require.ErrorIs(t, err, cqrs.ErrEnvelope, hops)
		assert.Contains(t, err.Error(), "sf_hops", hops)
	}
	msg := message.NewMessage("m-1", nil)
	cqrs.Envelope{Type: "loop.Ping", MessageID: "m-1", Hops: 3}.WriteTo(msg)
	env, err := cqrs.EnvelopeOf(msg)
	require.NoError(t, err)
	assert.Equal(t, 3, env.Hops, "the hop count round-trips")
}
