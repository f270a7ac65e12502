package awsbus_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// stallingSQS holds every GetQueueUrl call until release is closed (or the
// call's context ends): an SQS endpoint that is slow to answer, or a Bind
// that AWS throttles and that backs off between its attempts.
type stallingSQS struct {
	*awsbustest.SQS
	entered chan struct{}
	release chan struct{}
}

func (s *stallingSQS) GetQueueUrl(ctx context.Context, in *sqs.GetQueueUrlInput, opts ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error) {
	select {
	case s.entered <- struct{}{}:
	default:
	}
	select {
	case <-s.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return s.SQS.GetQueueUrl(ctx, in, opts...)
}

// While Bind is under way the transport is not bound: Health reports down
// within its context and HealthTimeout, and Close returns, instead of both
// waiting for Bind's AWS calls (and its backoff between attempts) to end.
func TestTransport_HealthAndCloseDoNotWaitForBind(t *testing.T) {
	sq, sn := newFakes()
	stall := &stallingSQS{SQS: sq, entered: make(chan struct{}, 1), release: make(chan struct{})}
	tr, err := awsbus.NewTransport(awsbus.Clients{SQS: stall, SNS: sn},
		awsbus.Config{CallTimeout: time.Minute, HealthTimeout: 200 * time.Millisecond})
	require.NoError(t, err)
	bound := make(chan error, 1)
	go func() { bound <- tr.Bind(context.Background(), ordersBinding()) }()
	<-stall.entered // Bind is waiting for AWS
	t.Cleanup(func() { close(stall.release); <-bound; _ = tr.Close() })

	reported := make(chan awsbus.HealthReport, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		reported <- tr.Health(ctx)
	}()
	select {
	case rep := <-reported:
		assert.Equal(t, topology.HealthDown, rep.Status)
	case <-time.After(10 * time.Second):
		t.Fatal("Health (200ms context, 200ms HealthTimeout) still blocked after 10s: it waits for Bind to finish")
	}

	closed := make(chan error, 1)
	go func() { closed <- tr.Close() }()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close still blocked after 10s: it waits for Bind to finish")
	}
}

// A Close while Bind waits for AWS stops Bind: it returns ErrClosed at
// once rather than after its calls end (here, after a minute's
// CallTimeout), and makes no further AWS call.
func TestTransport_CloseStopsBindUnderWay(t *testing.T) {
	sq, sn := newFakes()
	stall := &stallingSQS{SQS: sq, entered: make(chan struct{}, 1), release: make(chan struct{})}
	tr, err := awsbus.NewTransport(awsbus.Clients{SQS: stall, SNS: sn}, awsbus.Config{CallTimeout: time.Minute})
	require.NoError(t, err)
	bound := make(chan error, 1)
	go func() { bound <- tr.Bind(context.Background(), ordersBinding()) }()
	<-stall.entered // Bind is waiting for AWS
	released := false
	t.Cleanup(func() {
		if !released {
			close(stall.release)
			<-bound
		}
	})

	require.NoError(t, tr.Close())
	select {
	case err := <-bound:
		released = true
		close(stall.release)
		require.ErrorIs(t, err, awsbus.ErrClosed)
	case <-time.After(waitFor):
		t.Fatal("Bind still waiting for AWS after Close")
	}
	assert.Zero(t, sq.Calls("CreateQueue"), "Bind made no call after Close")
}
