package outbox

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBackoffDoublesUpToItsMax(t *testing.T) {
	var got []time.Duration
	var wait time.Duration
	for range 8 {
		wait = defaultBackoff.next(wait)
		got = append(got, wait)
	}
	ms := time.Millisecond
	assert.Equal(t, []time.Duration{100 * ms, 200 * ms, 400 * ms, 800 * ms, 1600 * ms, 3200 * ms, 5000 * ms, 5000 * ms}, got)
}

// pollSubscriber stands for one watermill-sql subscriber: the test hands
// it rows, and Close ends its poll.
type pollSubscriber struct {
	rows      chan *message.Message
	closed    chan struct{}
	closeOnce sync.Once
}

func (p *pollSubscriber) Subscribe(context.Context, string) (<-chan *message.Message, error) {
	return p.rows, nil
}

func (p *pollSubscriber) Close() error {
	p.closeOnce.Do(func() { close(p.closed) })
	return nil
}

// newPolls returns a newSub for newPausingSubscriber and the channel that
// receives each subscriber it makes.
func newPolls() (func() (message.Subscriber, error), chan *pollSubscriber) {
	made := make(chan *pollSubscriber, 16)
	return func() (message.Subscriber, error) {
		p := &pollSubscriber{rows: make(chan *message.Message), closed: make(chan struct{})}
		made <- p
		return p, nil
	}, made
}

func receive[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(5 * time.Second):
		require.FailNow(t, "timed out waiting for "+what)
		var zero T
		return zero
	}
}

// A row the router acknowledges is acknowledged to the poll. A row it
// nacks is neither acknowledged nor nacked to the poll: the poll's
// subscriber is closed, which ends its transaction, and after the backoff a
// new subscriber reads on.
func TestPausingSubscriberEndsThePollOnANackAndReadsOnAfterTheBackoff(t *testing.T) {
	newSub, made := newPolls()
	s, err := newPausingSubscriber(newSub, backoff{initial: 10 * time.Millisecond, max: 20 * time.Millisecond}, watermill.NopLogger{})
	require.NoError(t, err)
	out, err := s.Subscribe(context.Background(), "topic")
	require.NoError(t, err)
	first := receive(t, made, "the first subscriber")

	ok := message.NewMessage("ok", nil)
	first.rows <- ok
	receive(t, out, "the first row").Ack()
	receive(t, ok.Acked(), "the first row's ack")

	failing := message.NewMessage("failing", nil)
	first.rows <- failing
	receive(t, out, "the failing row").Nack()
	receive(t, first.closed, "the end of the poll")
	select {
	case <-failing.Acked():
		t.Fatal("the failed row was acknowledged")
	case <-failing.Nacked():
		t.Fatal("the failed row was nacked, so its poll would deliver it again")
	default:
	}

	second := receive(t, made, "a new subscriber after the backoff")
	again := message.NewMessage("failing", nil)
	second.rows <- again
	got := receive(t, out, "the failed row, read again")
	assert.Equal(t, "failing", got.UUID)
	got.Ack()
	receive(t, again.Acked(), "the ack of the row read again")

	require.NoError(t, s.Close())
	_, open := <-out
	assert.False(t, open, "Close ends the subscription")
	receive(t, second.closed, "the close of the current subscriber")
}

// Close during a backoff returns at once.
func TestPausingSubscriberClosesDuringTheBackoff(t *testing.T) {
	newSub, made := newPolls()
	s, err := newPausingSubscriber(newSub, backoff{initial: time.Hour, max: time.Hour}, watermill.NopLogger{})
	require.NoError(t, err)
	out, err := s.Subscribe(context.Background(), "topic")
	require.NoError(t, err)
	first := receive(t, made, "the first subscriber")
	first.rows <- message.NewMessage("failing", nil)
	receive(t, out, "the failing row").Nack()
	receive(t, first.closed, "the end of the poll")

	closed := make(chan error)
	go func() { closed <- s.Close() }()
	require.NoError(t, receive(t, closed, "Close"))
	_, open := <-out
	assert.False(t, open)
}
