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

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// deafTransport's publishes to a destination in hang ignore their context
// (as watermill-aws's SNS publisher does) and block until release is
// closed; it counts, per destination, its publishes, those running at once
// and the most seen running at once.
type deafTransport struct {
	*cqrs.ChannelTransport
	hang    map[string]bool
	release chan struct{}
	unblock func() // closes release, once

	mu                  sync.Mutex
	calls, running, max map[string]int
}

func (d *deafTransport) Publisher(string) (message.Publisher, error) { return d, nil }

func (d *deafTransport) Publish(destination string, _ ...*message.Message) error {
	d.mu.Lock()
	d.calls[destination]++
	d.running[destination]++
	d.max[destination] = max(d.max[destination], d.running[destination])
	d.mu.Unlock()
	defer func() { d.mu.Lock(); d.running[destination]--; d.mu.Unlock() }()
	if d.hang[destination] {
		<-d.release
	}
	return nil
}

func (d *deafTransport) stats(destination string) (calls, most int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.calls[destination], d.max[destination]
}

// setBound makes the relays the test creates bound each attempt by bound
// and wait grace more for a publish that does not heed its context.
func setBound(t *testing.T, bound, grace time.Duration) {
	wasBound, wasGrace := attemptBound, heedGrace
	attemptBound, heedGrace = bound, grace
	t.Cleanup(func() { attemptBound, heedGrace = wasBound, wasGrace })
}

func newDeafRelay(t *testing.T, logs watermill.LoggerAdapter, hang ...string) (*relay, *deafTransport) {
	channel, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = channel.Close() })
	deaf := &deafTransport{ChannelTransport: channel, hang: map[string]bool{}, release: make(chan struct{}),
		calls: map[string]int{}, running: map[string]int{}, max: map[string]int{}}
	for _, d := range hang {
		deaf.hang[d] = true
	}
	deaf.unblock = sync.OnceFunc(func() { close(deaf.release) })
	t.Cleanup(deaf.unblock)
	return newRelay(deaf, "outbox_test", nil, logs), deaf
}

// A publish that ignores its context is abandoned at the attempt's bound:
// the forward returns a transient failure saying so, the other
// destinations are published meanwhile, and the destination gets no new
// attempt (no new goroutine) while the abandoned one still runs. Its end
// is logged, once.
func TestAPublishIgnoringItsContextIsAbandonedAtTheBound(t *testing.T) {
	setBound(t, 50*time.Millisecond, 20*time.Millisecond)
	logs := watermill.NewCaptureLogger()
	r, deaf := newDeafRelay(t, logs, "hung")

	err := sqldbtest.Within(t, "a publish that ignores its context", func() error {
		return r.Publish("hung", message.NewMessage("m-1", nil))
	})
	require.Error(t, err)
	assert.ErrorContains(t, err, `outbox: forward to "hung": the publish did not return within`)
	assert.ErrorContains(t, err, "did not heed its context's end")
	assert.NotErrorIs(t, err, ErrUndeliverable, "transient: the row is held")

	require.NoError(t, r.Publish("ok", message.NewMessage("m-2", nil)), "another destination is published meanwhile")
	for range 20 {
		err := sqldbtest.Within(t, "an attempt while the abandoned publish runs", func() error {
			return r.Publish("hung", message.NewMessage("m-1", nil))
		})
		assert.ErrorContains(t, err, "no new attempt until it returns")
	}
	calls, most := deaf.stats("hung")
	assert.Equal(t, 1, calls, "one publish to the hung destination, the abandoned one")
	assert.Equal(t, 1, most, "no more than one publish running at once")

	deaf.unblock()
	require.Eventually(t, func() bool { _, running := r.calls.running("hung"); return !running },
		sqldbtest.HangBound, time.Millisecond, "the abandoned publish returned")
	require.NoError(t, r.Publish("hung", message.NewMessage("m-1", nil)), "attempted again once it returned")
	calls, _ = deaf.stats("hung")
	assert.Equal(t, 2, calls)
	var ends int
	for _, line := range logs.Captured()[watermill.InfoLogLevel] {
		if assert.ObjectsAreEqual("hung", line.Fields["destination"]) {
			ends++
			assert.Contains(t, line.Msg, "a publish abandoned at its bound returned")
		}
	}
	assert.Equal(t, 1, ends, "the abandoned publish's end is logged once")
}

// The ends of abandoned publishes are logged at most once per interval,
// however many destinations had one.
func TestTheEndsOfAbandonedPublishesAreLoggedAtMostOncePerInterval(t *testing.T) {
	setBound(t, 20*time.Millisecond, 10*time.Millisecond)
	logs := watermill.NewCaptureLogger()
	r, deaf := newDeafRelay(t, logs, "a", "b", "c")
	for _, d := range []string{"a", "b", "c"} {
		err := sqldbtest.Within(t, "a publish that ignores its context", func() error {
			return r.Publish(d, message.NewMessage("m-"+d, nil))
		})
		require.ErrorContains(t, err, "did not heed its context's end")
	}
	deaf.unblock()
	require.Eventually(t, func() bool {
		r.calls.mu.Lock()
		defer r.calls.mu.Unlock()
		return len(r.calls.abandoned) == 0
	}, sqldbtest.HangBound, time.Millisecond, "the abandoned publishes returned")
	assert.Len(t, logs.Captured()[watermill.InfoLogLevel], 1, "one line a minute")
}

// A publish that heeds its context's end returns with its own error: it
// is not abandoned, and the destination is attempted again at once.
func TestAPublishHeedingItsContextIsNotAbandoned(t *testing.T) {
	setBound(t, 20*time.Millisecond, time.Minute)
	channel, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = channel.Close() })
	r := newRelay(heedingTransport{channel}, "outbox_test", nil, watermill.NopLogger{})

	err = sqldbtest.Within(t, "a publish that heeds its context", func() error {
		return r.Publish("slow", message.NewMessage("m-1", nil))
	})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.NotContains(t, err.Error(), "abandoned")
	_, running := r.calls.running("slow")
	assert.False(t, running)
}

// heedingTransport's publishes wait for their context's end.
type heedingTransport struct{ *cqrs.ChannelTransport }

func (h heedingTransport) Publisher(string) (message.Publisher, error) { return h, nil }

func (heedingTransport) Publish(_ string, msgs ...*message.Message) error {
	<-msgs[0].Context().Done()
	return msgs[0].Context().Err()
}
