package cqrs_test

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// graph subscribes a handler to each destination of edges on tr, which
// publishes the message it handles on to each of the destinations edges
// lists for it, with its own context bounded by wait, until hops; it
// returns how many messages were handled, how many publishes returned nil
// (each a message to handle), and the errors of the others.
func graph(t *testing.T, tr *cqrs.ChannelTransport, hops int, wait time.Duration, edges map[string][]string) (handled, published *atomic.Int64, errs *recorder[string]) {
	t.Helper()
	handled, published, errs = &atomic.Int64{}, &atomic.Int64{}, &recorder[string]{}
	for dest, nexts := range edges {
		sub, err := tr.Subscriber(dest)
		require.NoError(t, err)
		out, err := sub.Subscribe(context.Background(), dest)
		require.NoError(t, err)
		t.Cleanup(func() { _ = sub.Close() })
		go func() {
			for m := range out {
				hop, _ := strconv.Atoi(m.Metadata.Get("hop"))
				for _, next := range nexts {
					if hop >= hops {
						break
					}
					pub, _ := tr.Publisher(next)
					ctx, cancel := context.WithTimeout(m.Context(), wait)
					if err := pub.Publish(next, hopMessage(ctx, hop+1)); err != nil {
						errs.add(dest + "->" + next + ": " + err.Error())
					} else {
						published.Add(1)
					}
					cancel()
				}
				handled.Add(1)
				m.Ack()
			}
		}()
	}
	return handled, published, errs
}

// A loop that closes at two destinations (b raises to a and to itself)
// has its follow-ups handed over to two hand-over goroutines, a's and
// b's. Each delivery a hand-over goroutine makes starts a chain of its
// own, which does not include the other's destination: a's handler then
// waits for b, held by b's hand-over delivery, whose handler waits for
// a. Every publish of the loop should return, and the loop end at its
// hop limit.
func TestChannelSynchronousLoopHandedOverAtTwoDestinationsDoesNotWaitOnItself(t *testing.T) {
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{CloseTimeout: time.Second})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	handled, published, errs := graph(t, tr, 12, 3*time.Second, map[string][]string{"a": {"b"}, "b": {"a", "b"}})
	pub, err := tr.Publisher("a")
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	require.NoError(t, pub.Publish("a", hopMessage(ctx, 0)))
	require.Eventually(t, func() bool {
		return len(errs.all()) > 0 || handled.Load() == 1+published.Load()
	}, 20*time.Second, 5*time.Millisecond)
	assert.Empty(t, errs.all(), "a handler's publish waited on the loop's other hand-over")
	assert.Equal(t, 1+published.Load(), handled.Load())
}

// Two Sends that start at once at two destinations whose handlers each
// publish to the other's (no loop: each flow passes each destination
// once) wait on each other for good: a's handler holds a and waits for b,
// b's holds b and waits for a.
func TestChannelSynchronousFlowsCrossingAtOnceDoNotWaitOnEachOther(t *testing.T) {
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{CloseTimeout: time.Second})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	// hop 0 arrives from outside; its handler publishes hop 1, whose
	// handler publishes nothing.
	_, _, errs := graph(t, tr, 1, 3*time.Second, map[string][]string{"a": {"b"}, "b": {"a"}})

	sent := make(chan error, 2)
	for _, dest := range []string{"a", "b"} {
		go func() {
			pub, _ := tr.Publisher(dest)
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			sent <- pub.Publish(dest, hopMessage(ctx, 0))
		}()
	}
	for range 2 {
		assert.NoError(t, <-sent)
	}
	assert.Empty(t, errs.all())
}
