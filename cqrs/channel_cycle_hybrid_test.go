package cqrs_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

type pingCmd struct{ N int }
type pongedEvt struct{ N int }
type pingState struct{ Pings int }

// pingLoop starts a service on tr whose saga handles Ping on "cmd" and
// raises Ponged on "ev", whose reaction sends the next Ping back to "cmd"
// for the same entity, until a Ponged of last (or never, when last is
// negative). It returns how many Pings were handled, whether the first
// Send returned within 5s, and its error.
func pingLoop(t *testing.T, tr cqrs.Transport, last int) (*atomic.Int64, bool, error) {
	t.Helper()
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "loop", Transport: tr, Listen: []string{"cmd", "ev"}, MaxHops: 8})
	require.NoError(t, err)
	t.Cleanup(func() { go svc.Close() })
	require.NoError(t, cqrs.RegisterCommand[pingCmd](svc, "loop.Ping", "cmd"))
	require.NoError(t, cqrs.RegisterEvent[pongedEvt](svc, "loop.Ponged", "ev"))
	var pings atomic.Int64
	saga := cqrs.NewSaga[pingState](svc, "saga")
	require.NoError(t, cqrs.Handle(saga, func(_ context.Context, s *pingState, c pingCmd, _ cqrs.Envelope) ([]any, error) {
		s.Pings++
		pings.Add(1)
		return []any{pongedEvt(c)}, nil
	}))
	agg := cqrs.NewAggregate(svc, "agg")
	require.NoError(t, cqrs.React(agg, func(ctx context.Context, a *cqrs.Aggregate, e pongedEvt, env cqrs.Envelope) error {
		if e.N == last {
			return nil
		}
		_, err := a.Send(ctx, env.EntityID, pingCmd{N: e.N + 1})
		return err
	}))
	require.NoError(t, svc.Start(context.Background()))
	done := make(chan error, 1)
	go func() {
		_, err := agg.Send(context.Background(), "e1", pingCmd{})
		done <- err
	}()
	select {
	case err := <-done:
		return &pings, true, err
	case <-time.After(5 * time.Second):
		return &pings, false, nil
	}
}

// twoSyncChannels returns a HybridTransport with commands on one
// synchronous ChannelTransport and events on another.
func twoSyncChannels(t *testing.T) (hy *cqrs.HybridTransport, cmds, evs *cqrs.ChannelTransport) {
	t.Helper()
	cmds, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{CloseTimeout: time.Second})
	require.NoError(t, err)
	evs, err = cqrs.NewChannelTransport(cqrs.ChannelConfig{CloseTimeout: time.Second})
	require.NoError(t, err)
	hy, err = cqrs.NewHybridTransport(cqrs.HybridConfig{Default: cmds, Commands: cmds, Events: evs})
	require.NoError(t, err)
	return hy, cmds, evs
}

// On one synchronous ChannelTransport a command → event → command loop is
// handed over where it would wait on itself: Send returns, and the loop
// goes on behind it.
func TestSynchronousLoopOnOneChannelTransportReturns(t *testing.T) {
	ch, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{CloseTimeout: time.Second})
	require.NoError(t, err)
	pings, returned, err := pingLoop(t, ch, 2)
	require.True(t, returned, "Send never returned")
	require.NoError(t, err)
	eventually(t, func() bool { return pings.Load() == 3 }, "the loop goes on behind the Send")
}

// The same loop through two synchronous ChannelTransports of a
// HybridTransport (commands on one, events on the other) is seen as one:
// Send returns rather than each transport waiting on the other's handler
// for good, and the loop goes on behind it.
func TestSynchronousLoopThroughTwoChannelTransportsReturns(t *testing.T) {
	hy, _, _ := twoSyncChannels(t)
	pings, returned, err := pingLoop(t, hy, 2)
	require.True(t, returned, "commands and events on two synchronous ChannelTransports: Send never returned")
	require.NoError(t, err)
	eventually(t, func() bool { return pings.Load() == 3 }, "the loop goes on behind the Send")
}

// A loop without end through two synchronous ChannelTransports ends at
// ServiceConfig.MaxHops, in a dead letter, as on one transport.
func TestEndlessLoopThroughTwoChannelTransportsEndsAtMaxHops(t *testing.T) {
	hy, cmds, evs := twoSyncChannels(t)
	_, returned, err := pingLoop(t, hy, -1)
	require.True(t, returned, "Send never returned")
	require.NoError(t, err)
	eventually(t, func() bool { return cmds.DeadLetterCount()+evs.DeadLetterCount() == 1 }, "the loop is dead-lettered")
	dead := append(cmds.DeadLetters(), evs.DeadLetters()...)
	assert.True(t, strings.Contains(dead[0].Reason, cqrs.ErrHopLimit.Error()), dead[0].Reason)
}
