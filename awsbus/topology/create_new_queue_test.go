package topology_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// slowFakes are fakes whose SQS answers QueueDoesNotExist about a new queue
// for delay after creating it, as AWS may.
func slowFakes(delay time.Duration) (*awsbustest.SQS, *awsbustest.SNS) {
	q := awsbustest.NewSQS(awsbustest.SQSConfig{NewQueueDelay: delay})
	return q, awsbustest.NewSNS(q, awsbustest.SNSConfig{EnforceQueuePolicy: true})
}

// createWithin runs Create of the orders plan on the fakes under ctx and
// returns how long it took and its error. In the synctest bubble the clock
// moves only while every goroutine waits, so Create's waits cost no time.
func createWithin(t *testing.T, ctx context.Context, sq *awsbustest.SQS, sn *awsbustest.SNS) (time.Duration, error) {
	t.Helper()
	topo, err := newProvisioner(sq, sn, topology.ProvisionerConfig{})
	require.NoError(t, err)
	p, err := topology.New(ordersBinding(), topology.Options{})
	require.NoError(t, err)
	start := time.Now()
	_, err = topo.Create(ctx, p)
	return time.Since(start), err
}

func TestTopology_CreateWaitsForANewQueueToAppear(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sq, sn := slowFakes(3 * time.Second)
		took, err := createWithin(t, context.Background(), sq, sn)
		require.NoError(t, err)
		assert.GreaterOrEqual(t, took, 3*time.Second, "waited for the new queues")

		eps, _ := create(t, sq, sn, topology.Options{})
		assert.NotEmpty(t, eps["orders.fifo"].QueueURL)
		assert.NotEmpty(t, eps["orders.fifo"].DLQURL)
		assert.NotEmpty(t, eps["payment-events"].QueueURL)
	})
}

func TestTopology_CreateGivesUpOnANewQueueThatStaysMissing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sq, sn := slowFakes(time.Hour)
		took, err := createWithin(t, context.Background(), sq, sn)
		var missing *sqstypes.QueueDoesNotExist
		require.ErrorAs(t, err, &missing)
		assert.Contains(t, err.Error(), "get attributes of queue")
		assert.GreaterOrEqual(t, took, 9*time.Second, "asked again for about ten seconds")
		assert.LessOrEqual(t, took, 10*time.Second)
		assert.Equal(t, 1, sq.Calls("CreateQueue"), "gave up on the first queue")
	})
}

func TestTopology_CreateStopsWaitingForANewQueueWhenItsContextEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sq, sn := slowFakes(time.Hour)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		took, err := createWithin(t, ctx, sq, sn)
		require.Error(t, err)
		assert.True(t, errors.Is(err, context.DeadlineExceeded), "the context's error: %v", err)
		assert.Equal(t, 2*time.Second, took)
	})
}
