package awsbus_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

type restartOrder struct {
	ID string `json:"id"`
}

type restartState struct {
	Orders int `json:"orders"`
}

// restartService wires a cqrs.Service over a Transport on fakes: it sends
// orders.CreateOrder to orders.fifo and handles it there, counting runs.
func restartService(t *testing.T) (*cqrs.Service, *awsbustest.SQS, *atomic.Int32) {
	t.Helper()
	sq, sn := newFakes()
	tr, err := awsbus.NewTransport(awsbus.Clients{SQS: sq, SNS: sn}, awsbus.Config{ConsumerConfig: awsbus.ConsumerConfig{WaitTime: time.Second, ShutdownTimeout: time.Second}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "orders", Transport: tr, Listen: []string{"orders.fifo"}, CloseTimeout: 2 * time.Second})
	require.NoError(t, err)
	t.Cleanup(func() { _ = svc.Close() })
	require.NoError(t, cqrs.RegisterCommand[restartOrder](svc, "orders.CreateOrder", "orders.fifo"))
	runs := &atomic.Int32{}
	saga := cqrs.NewSaga[restartState](svc, "order")
	require.NoError(t, cqrs.Handle(saga, func(_ context.Context, s *restartState, _ restartOrder, _ cqrs.Envelope) ([]any, error) {
		s.Orders++
		runs.Add(1)
		return nil, nil
	}))
	return svc, sq, runs
}

// A Start that failed is retried on the same Transport: the second Start
// subscribes again and messages flow.
func TestTransport_FailedStartIsRetryable(t *testing.T) {
	tests := []struct {
		name  string
		first func(t *testing.T, svc *cqrs.Service, sq *awsbustest.SQS) error
	}{
		{name: "context cancelled after binding", first: func(_ *testing.T, svc *cqrs.Service, _ *awsbustest.SQS) error {
			ctx, cancel := context.WithCancel(context.Background())
			cancel() // the fakes ignore ctx, so Bind succeeds and Start fails after subscribing
			return svc.Start(ctx)
		}},
		{name: "first Bind failed", first: func(_ *testing.T, svc *cqrs.Service, sq *awsbustest.SQS) error {
			sq.FailNext("GetQueueUrl", 1, nil)
			return svc.Start(context.Background())
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, sq, runs := restartService(t)
			require.Error(t, tt.first(t, svc, sq), "the first Start fails")

			require.NoError(t, svc.Start(context.Background()), "the retried Start succeeds")

			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_, err := cqrs.NewAggregate(svc, "order").Send(ctx, "o-1", restartOrder{ID: "o-1"})
			require.NoError(t, err)
			require.Eventually(t, func() bool { return runs.Load() >= 1 }, 10*time.Second, 10*time.Millisecond,
				"the command is handled after the retried Start")
		})
	}
}
