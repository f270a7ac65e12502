package awsbus_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// rollingService is a cqrs.Service named name over its own Transport on the
// fakes sq and sn, with the default long poll and a 120s visibility
// timeout. It registers orders.CreateOrder on orders.fifo and, when runs
// is set, handles it there, sending the order's id on handled.
func rollingService(t *testing.T, sq *awsbustest.SQS, sn *awsbustest.SNS, name string, closeTimeout time.Duration, handled chan<- string) *cqrs.Service {
	t.Helper()
	tr, err := awsbus.NewTransport(awsbus.Clients{SQS: sq, SNS: sn, STS: awsbustest.NewSTS(sq), Region: sq.Region()}, awsbus.Config{ConsumerConfig: awsbus.ConsumerConfig{VisibilityTimeout: 120 * time.Second}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	cfg := cqrs.ServiceConfig{Name: name, Transport: tr, CloseTimeout: closeTimeout}
	if handled != nil {
		cfg.Listen = []string{"orders.fifo"}
	}
	svc, err := cqrs.NewService(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = svc.Close() })
	require.NoError(t, cqrs.RegisterCommand[restartOrder](svc, "orders.CreateOrder", "orders.fifo"))
	if handled != nil {
		require.NoError(t, cqrs.Handle(cqrs.NewSaga[restartState](svc, "order"), func(_ context.Context, _ *restartState, o restartOrder, _ cqrs.Envelope) ([]any, error) {
			handled <- o.ID
			return nil, nil
		}))
	}
	require.NoError(t, svc.Start(context.Background()))
	return svc
}

// A rolling restart of a cqrs service over the Transport, with SQS's
// long poll (the default WaitTime) and a fake that, as SQS, goes on with
// a poll its caller gave up: a command sent once the old instance's
// Close began is handled by the new instance at once, not after the 120s
// visibility timeout, and the idle Close takes the rest of the poll, at
// most WaitTime. In the synctest bubble the clock jumps over the waits.
func TestTransport_RollingRestartLosesNoCommandSentDuringClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sq := awsbustest.NewSQS(awsbustest.SQSConfig{KeepCanceledPolls: true})
		sn := awsbustest.NewSNS(sq, awsbustest.SNSConfig{EnforceQueuePolicy: true})
		sender := rollingService(t, sq, sn, "orders", 0, nil)
		oldHandled, newHandled := make(chan string, 10), make(chan string, 10)
		old := rollingService(t, sq, sn, "orders", 0, oldHandled)
		synctest.Wait() // the old instance waits in its long poll

		began := time.Now()
		closed := make(chan error, 1)
		go func() { closed <- old.Close() }()
		synctest.Wait()
		_, err := cqrs.NewAggregate(sender, "order").Send(context.Background(), "o-1", restartOrder{ID: "o-1"})
		require.NoError(t, err)
		require.NoError(t, <-closed)
		assert.LessOrEqual(t, time.Since(began), 20*time.Second, "an idle Close takes at most the rest of the long poll")

		assert.Empty(t, oldHandled, "the closing instance hands nothing out")

		rollingService(t, sq, sn, "orders", 0, newHandled)
		restarted := time.Now()
		select {
		case id := <-newHandled:
			assert.Equal(t, "o-1", id)
		case <-time.After(time.Minute):
			t.Fatal("the command sent as the old instance closed was not handled within a minute (visibility timeout 120s)")
		}
		assert.Less(t, time.Since(restarted), 5*time.Second, "handled at once, not after the visibility timeout")
	})
}
