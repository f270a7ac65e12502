package cqrs_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// These tests run in a synctest bubble: its clock moves only when every
// goroutine of the bubble waits, so a wait on a timer shows as elapsed
// time however loaded the machine is, and synctest.Wait tells when Close
// has begun to drain and waits for the handler in flight.

// failingReactor registers a reactor on svc whose first handling signals
// started, then waits for release and fails with an ordinary error named
// "card declined"; later handlings fail at once with the same error.
func failingReactor(t *testing.T, svc *cqrs.Service) (started, release chan struct{}) {
	t.Helper()
	started, release = make(chan struct{}), make(chan struct{})
	first := true
	require.NoError(t, cqrs.React(cqrs.NewAggregate(svc, "a"), func(context.Context, *cqrs.Aggregate, OrderCreated, cqrs.Envelope) error {
		if first {
			first = false
			close(started)
			<-release
		}
		return errors.New("card declined")
	}))
	return started, release
}

// channelService is a service of name listening to "order-events" on a
// ChannelTransport of cfg, which closes when the test ends.
func channelService(t *testing.T, cfg cqrs.ChannelConfig, name string) (*cqrs.ChannelTransport, *cqrs.Service) {
	t.Helper()
	tr, err := cqrs.NewChannelTransport(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	return tr, newService(t, tr, name, "order-events")
}

// raise raises an OrderCreated on svc in its own goroutine.
func raise(svc *cqrs.Service) {
	go func() { _, _ = svc.EventQueue().Raise(context.Background(), "o-1", OrderCreated{OrderID: "o-1"}) }()
}

// closeInBackground starts svc's Close and returns once Close waits, with
// the channel its result arrives on.
func closeInBackground(svc *cqrs.Service) <-chan error {
	closed := make(chan error, 1)
	go func() { closed <- svc.Close() }()
	synctest.Wait()
	return closed
}

// A handler in flight that acks while its service closes lets Close return
// at once: nothing waits for gochannel to settle the ack.
func TestChannelTransportCloseReturnsOnceTheHandlerInFlightAcks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, svc := channelService(t, cqrs.ChannelConfig{CloseTimeout: time.Hour}, "close-ack")
		started, release, result := blockingReactor(t, svc)
		require.NoError(t, svc.Start(context.Background()))
		raise(svc)
		<-started
		closed := closeInBackground(svc)
		require.Empty(t, closed, "Close returned while a handler was in flight")
		released := time.Now()
		close(release)
		require.NoError(t, <-result)
		require.NoError(t, <-closed)
		assert.Less(t, time.Since(released), time.Second, "Close waited after the handler in flight acked")
	})
}

// A handler in flight that fails while its service closes cannot be
// redelivered (gochannel keeps nothing), so its message is dead-lettered
// with the reason and the handler's error rather than lost.
func TestChannelTransportDeadLettersAFailureDuringTheDrain(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr, svc := channelService(t, cqrs.ChannelConfig{CloseTimeout: time.Hour}, "close-fail")
		started, release := failingReactor(t, svc)
		require.NoError(t, svc.Start(context.Background()))
		raise(svc)
		<-started
		closed := closeInBackground(svc)
		close(release)
		require.NoError(t, <-closed)
		requireClosingDeadLetter(t, tr, 1)
	})
}

// A message waiting for its next delivery when its service closes is
// dead-lettered with the reason and the last error rather than lost.
func TestChannelTransportDeadLettersAMessageAwaitingRedeliveryAtClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr, svc := channelService(t, cqrs.ChannelConfig{CloseTimeout: time.Hour, RedeliveryDelay: time.Hour}, "close-pause")
		started, release := failingReactor(t, svc)
		close(release)
		require.NoError(t, svc.Start(context.Background()))
		raise(svc)
		<-started
		synctest.Wait() // the first delivery failed; the next one waits an hour
		require.Zero(t, tr.DeadLetterCount())
		require.NoError(t, svc.Close())
		requireClosingDeadLetter(t, tr, 1)
	})
}

// A handler still running when its subscription's CloseTimeout runs out is
// abandoned; gochannel keeps nothing, so its message is dead-lettered with
// the reason rather than lost. The handler heeds nothing but the dead
// letter, so that it ends without the clock moving on.
func TestChannelTransportDeadLettersAHandlerStillRunningWhenCloseTimeoutRunsOut(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		tr, svc := channelService(t, cqrs.ChannelConfig{CloseTimeout: time.Second,
			Logger: deadLetterSignal{done: sync.OnceFunc(func() { close(release) })}}, "close-abandon")
		started := make(chan struct{})
		require.NoError(t, cqrs.React(cqrs.NewAggregate(svc, "a"), func(context.Context, *cqrs.Aggregate, OrderCreated, cqrs.Envelope) error {
			close(started)
			<-release
			return errors.New("card declined")
		}))
		require.NoError(t, svc.Start(context.Background()))
		raise(svc)
		<-started
		begun := time.Now()
		require.NoError(t, svc.Close())
		assert.Equal(t, time.Second, time.Since(begun), "the handler was abandoned when CloseTimeout ran out")
		dead := tr.DeadLetters()
		require.Len(t, dead, 1, "the message was abandoned in its handler")
		assert.Equal(t, "order-events", dead[0].Destination)
		assert.Equal(t, 1, dead[0].Deliveries)
		assert.Contains(t, dead[0].Reason, "still in its handler when its subscription's CloseTimeout ran out")
	})
}

// deadLetterSignal is a logger that calls done when a message is
// dead-lettered.
type deadLetterSignal struct {
	watermill.NopLogger
	done func()
}

func (l deadLetterSignal) Error(msg string, _ error, _ watermill.LogFields) {
	if msg == "Message dead-lettered" {
		l.done()
	}
}

// A handler that gives up when its context ends, as CloseTimeout runs out,
// leaves its message dead-lettered rather than lost.
func TestChannelTransportDeadLettersAHandlerEndedByCloseTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr, svc := channelService(t, cqrs.ChannelConfig{CloseTimeout: time.Second}, "close-expire")
		started := make(chan struct{})
		require.NoError(t, cqrs.React(cqrs.NewAggregate(svc, "a"), func(ctx context.Context, _ *cqrs.Aggregate, _ OrderCreated, _ cqrs.Envelope) error {
			close(started)
			<-ctx.Done()
			return ctx.Err()
		}))
		require.NoError(t, svc.Start(context.Background()))
		raise(svc)
		<-started
		require.NoError(t, svc.Close())
		dead := tr.DeadLetters()
		require.Len(t, dead, 1, "the message was abandoned as CloseTimeout ran out")
		assert.Equal(t, "order-events", dead[0].Destination)
		assert.Equal(t, 1, dead[0].Deliveries)
		// The handler's failure and the end of the drain come at once:
		// either reason may be recorded.
		assert.Regexp(t, "CloseTimeout ran out|while its subscription closed", dead[0].Reason)
	})
}

// requireClosingDeadLetter requires tr's only dead letter to be a message
// that failed deliveries times, the last one with "card declined", while
// its subscription closed.
func requireClosingDeadLetter(t *testing.T, tr *cqrs.ChannelTransport, deliveries int) {
	t.Helper()
	dead := tr.DeadLetters()
	require.Len(t, dead, 1, "the message failed while its subscription closed")
	assert.Equal(t, "order-events", dead[0].Destination)
	assert.Equal(t, deliveries, dead[0].Deliveries)
	assert.Contains(t, dead[0].Reason, "subscription closed")
	assert.Contains(t, dead[0].Reason, "card declined")
}
