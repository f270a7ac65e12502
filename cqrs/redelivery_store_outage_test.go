package cqrs_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// These tests run in a synctest bubble: a database outage of a minute
// passes on its clock, which moves only when every goroutine of the test
// waits, without the test waiting for it.

// refusedConnection is what the SQL stores return while their database is
// stopped, marked as the service's store being unavailable.
var refusedConnection = sourceflow.StoreUnavailable(errors.New(
	"sqlstore: begin a transaction: failed to connect to `user=app database=app`: dial tcp 127.0.0.1:5432: connect: connection refused"))

// databaseDown fails every handling it wraps with fail until the bubble's
// clock reaches until, counting the handlings.
func databaseDown(until time.Time, fail error, handlings *atomic.Int32) message.HandlerMiddleware {
	return func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			handlings.Add(1)
			if time.Now().Before(until) {
				return nil, fail
			}
			return h(msg)
		}
	}
}

// outageApp is the order flow on a PubSubTransport at its defaults (8
// deliveries, pauses doubling from 100ms), whose command handlings fail
// with fail for the first outage of the bubble's clock.
func outageApp(t *testing.T, outage time.Duration, fail error, logs watermill.LoggerAdapter) (*orderApp, *recorder[*message.Message], *atomic.Int32) {
	rig := newPubSubRig(t)
	dlq := rig.deadLetters(t, "orders-dlq")
	tr := rig.transport(t, cqrs.PubSubConfig{RedeliveryDelay: cqrs.DefaultRedeliveryDelay, Logger: logs})
	handlings := &atomic.Int32{}
	app := newOrderApp(t, cqrs.ServiceConfig{Transport: tr,
		Hooks: cqrs.Hooks{CommandSubscribe: []message.HandlerMiddleware{databaseDown(time.Now().Add(outage), fail, handlings)}}})
	app.start(t)
	return app, dlq, handlings
}

// A command arriving while the service's database is down for a minute,
// longer than the 13s the defaults redeliver a failing message for, is not
// dead-lettered: its failures that found the store unavailable do not use
// up its deliveries, and it is handled once the database is back. The
// outage is logged once a minute at most, and its end once.
func TestPubSubTransportWaitsOutAStoreOutageWithoutDeadLettering(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		logs := watermill.NewCaptureLogger()
		app, dlq, handlings := outageApp(t, time.Minute, refusedConnection, logs)
		_, err := app.agg.Send(context.Background(), "o-1", CreateOrder{Amount: 1})
		require.NoError(t, err)
		time.Sleep(time.Minute + 15*time.Second) // the outage, and the longest pause after it
		synctest.Wait()
		require.Empty(t, dlq.all(), "a message was dead-lettered during the outage")
		s, ok, err := app.view.Get(context.Background(), "o-1")
		require.NoError(t, err)
		assert.True(t, ok && s.Paid, "the order is created and paid once the database is back")
		assert.Greater(t, int(handlings.Load()), cqrs.DefaultMaxDeliveries, "more handlings failed than MaxDeliveries allows")
		lines := 0
		for _, c := range logs.Captured()[watermill.ErrorLogLevel] {
			if strings.HasPrefix(c.Msg, "State store unavailable") {
				lines++
				assert.Contains(t, c.Fields["last_error"], "connection refused")
			}
		}
		assert.Positive(t, lines, "the outage is logged")
		assert.LessOrEqual(t, lines, 2, "the outage of a minute is logged at most once a minute")
		cleared := 0
		for _, c := range logs.Captured()[watermill.InfoLogLevel] {
			if strings.HasPrefix(c.Msg, "cleared: State store unavailable") {
				cleared++
			}
		}
		assert.Equal(t, 1, cleared, "the outage's end is logged once")
	})
}

// A handler's own error is dead-lettered as before: after MaxDeliveries
// deliveries, within the 13s of pauses the defaults allow.
func TestPubSubTransportStillDeadLettersAHandlersOwnErrorAfterMaxDeliveries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		app, dlq, handlings := outageApp(t, time.Hour, errors.New("payment provider: connection refused"), watermill.NopLogger{})
		start := time.Now()
		_, err := app.agg.Send(context.Background(), "o-1", CreateOrder{Amount: 1})
		require.NoError(t, err)
		for len(dlq.all()) == 0 && time.Since(start) < time.Minute {
			time.Sleep(100 * time.Millisecond)
		}
		require.Len(t, dlq.all(), 1, "the message is dead-lettered")
		assert.LessOrEqual(t, time.Since(start), cqrs.RedeliveryPauses(cqrs.DefaultMaxDeliveries, cqrs.DefaultRedeliveryDelay)+100*time.Millisecond,
			"dead-lettered no later than before")
		assert.Equal(t, int32(cqrs.DefaultMaxDeliveries), handlings.Load(), "delivered MaxDeliveries times")
		assert.Contains(t, dlq.all()[0].Metadata.Get(sourceflow.MetaFailure), "failed 8 deliveries")
	})
}

// ChannelTransport, in process, waits out a store outage as well: its
// synchronous Send returns once the command was handled after the
// outage, instead of after the 70ms its defaults redeliver for, with the
// message dead-lettered.
func TestChannelTransportWaitsOutAStoreOutageWithoutDeadLettering(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Logger: watermill.NopLogger{}})
		require.NoError(t, err)
		t.Cleanup(func() { _ = tr.Close() })
		handlings := &atomic.Int32{}
		app := newOrderApp(t, cqrs.ServiceConfig{Transport: tr,
			Hooks: cqrs.Hooks{CommandSubscribe: []message.HandlerMiddleware{databaseDown(time.Now().Add(time.Minute), refusedConnection, handlings)}}})
		app.start(t)
		_, err = app.agg.Send(context.Background(), "o-1", CreateOrder{Amount: 1})
		require.NoError(t, err)
		synctest.Wait()
		require.Empty(t, tr.DeadLetters(), "a message was dead-lettered during the outage")
		s, ok, err := app.view.Get(context.Background(), "o-1")
		require.NoError(t, err)
		assert.True(t, ok && s.Paid, "the order is created and paid once the database is back")
		assert.Greater(t, int(handlings.Load()), cqrs.DefaultMaxDeliveries, "more handlings failed than MaxDeliveries allows")
	})
}

// A failure that found the store unavailable counts again once the message
// waited StoreOutageWait: an outage that outlasts it dead-letters the
// message after its remaining deliveries, with the store's error.
func TestPubSubTransportCountsStoreFailuresAgainAfterStoreOutageWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		app, dlq, _ := outageApp(t, time.Hour, refusedConnection, watermill.NopLogger{})
		start := time.Now()
		_, err := app.agg.Send(context.Background(), "o-1", CreateOrder{Amount: 1})
		require.NoError(t, err)
		for len(dlq.all()) == 0 && time.Since(start) < time.Hour {
			time.Sleep(time.Second)
		}
		require.Len(t, dlq.all(), 1, "the message is dead-lettered once the wait ran out")
		took := time.Since(start)
		assert.GreaterOrEqual(t, took, cqrs.StoreOutageWait, "not before StoreOutageWait")
		assert.LessOrEqual(t, took, cqrs.StoreOutageWait+cqrs.RedeliveryPauses(cqrs.DefaultMaxDeliveries, cqrs.DefaultRedeliveryDelay)+20*time.Second,
			"within MaxDeliveries' pauses after it")
		assert.Contains(t, dlq.all()[0].Metadata.Get(sourceflow.MetaFailure), "connection refused")
	})
}
