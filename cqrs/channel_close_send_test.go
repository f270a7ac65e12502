package cqrs_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// TestACommandSentWhileItsListenerClosesIsHandledOrDeadLettered: one
// service sends commands, one after another, to another service on the
// same ChannelTransport while that one closes. Each send either fails
// (ErrNoListener once the listener is gone) or its command is handled or
// dead-lettered: a send never returns nil for a command gochannel dropped
// as the subscription ended. The race is short, so it runs many rounds, in
// both publish modes, and, asynchronous, to an ordered destination, whose
// publishes are queued.
func TestACommandSentWhileItsListenerClosesIsHandledOrDeadLettered(t *testing.T) {
	for _, mode := range []struct {
		name  string
		async bool
		dest  string
	}{{"synchronous", false, "audit"}, {"async", true, "audit"}, {"async ordered", true, "audit.fifo"}} {
		t.Run(mode.name, func(t *testing.T) {
			for round := range 100 {
				sent, handled, dead := sendWhileTheListenerCloses(t, mode.async, mode.dest)
				require.Equal(t, sent, handled+dead, "round %d: %d sends returned nil, %d commands were handled, %d dead-lettered", round, sent, handled, dead)
			}
		})
	}
}

// sendWhileTheListenerCloses sends commands to a listening service until
// its Close refuses them, and returns how many sends returned nil, and how
// many commands were handled and dead-lettered; dest is the listener's
// command destination.
func sendWhileTheListenerCloses(t *testing.T, async bool, dest string) (sent, handled, dead int) {
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: async, RedeliveryDelay: time.Millisecond})
	require.NoError(t, err)
	defer func() { require.NoError(t, tr.Close()) }()
	var noted atomic.Int64
	first := make(chan struct{})
	var once sync.Once
	listener, err := cqrs.NewService(cqrs.ServiceConfig{Name: "audit", Transport: tr, Listen: []string{dest}})
	require.NoError(t, err)
	require.NoError(t, cqrs.RegisterCommand[CreateOrder](listener, "audit.Note", dest))
	require.NoError(t, cqrs.Handle(cqrs.NewSaga[Order](listener, "note"), func(context.Context, *Order, CreateOrder, cqrs.Envelope) ([]any, error) {
		noted.Add(1)
		once.Do(func() { close(first) })
		return nil, nil
	}))
	require.NoError(t, listener.Start(context.Background()))
	sender, err := cqrs.NewService(cqrs.ServiceConfig{Name: "sender", Transport: tr})
	require.NoError(t, err)
	require.NoError(t, cqrs.RegisterCommand[CreateOrder](sender, "audit.Note", dest))
	require.NoError(t, sender.Start(context.Background()))
	defer func() { require.NoError(t, sender.Close()) }()

	var ok atomic.Int64
	stopped := make(chan error, 1)
	go func() {
		for i := 0; ; i++ {
			_, err := cqrs.NewAggregate(sender, "note").Send(context.Background(), "n-1", CreateOrder{Amount: i})
			if err != nil {
				stopped <- err
				return
			}
			ok.Add(1)
		}
	}()
	<-first
	require.NoError(t, listener.Close())
	require.True(t, errors.Is(<-stopped, cqrs.ErrNoListener), "sends end with ErrNoListener")
	require.NoError(t, tr.Close()) // waits for what is still queued, which it dead-letters
	return int(ok.Load()), int(noted.Load()), tr.DeadLetterCount()
}
