//go:build integration

package integration

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// TestAWSBusBugFailingHandlerDeadLetteredWithItsError runs a service whose
// handler fails every time for one entity: after maxReceiveCount receives
// the command is in the queue's dead-letter queue with the handler's error
// in sf_failure, put there by the transport, and another entity's command
// is handled.
func TestAWSBusBugFailingHandlerDeadLetteredWithItsError(t *testing.T) {
	for _, tc := range []struct{ name, suffix string }{{"standard", ""}, {"fifo", ".fifo"}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			testFailingHandlerDeadLettered(t, tc.suffix)
		})
	}
}

var errRefused = errors.New("payment gateway refused the card")

// failingWorker is a service on queue whose PayOrder handler fails for
// entity order-bad. It counts failed
// and handled commands.
func failingWorker(t *testing.T, queue string, maxReceives int) (*cqrs.Service, *awsbus.Transport, *atomic.Int32, *atomic.Int32) {
	t.Helper()
	svc, tr := modelService(t, awsbus.Config{MaxReceiveCount: maxReceives}, cqrs.ServiceConfig{
		Name: "failing-worker", Listen: []string{queue},
	})
	require.NoError(t, cqrs.RegisterCommand[PayOrder](svc, "model.PayOrder", queue))
	var failures, handled atomic.Int32
	require.NoError(t, cqrs.Handle(cqrs.NewSaga[Payment](svc, "payment"),
		func(_ context.Context, s *Payment, c PayOrder, env cqrs.Envelope) ([]any, error) {
			if env.EntityID == "order-bad" {
				failures.Add(1)
				return nil, fmt.Errorf("pay %d: %w", c.Amount, errRefused)
			}
			s.Amount += c.Amount
			handled.Add(1)
			return nil, nil
		}))
	startModel(t, svc)
	return svc, tr, &failures, &handled
}

func testFailingHandlerDeadLettered(t *testing.T, suffix string) {
	const maxReceives = 2
	queue := uniqueName("m-failing", suffix)
	svc, tr, failures, handled := failingWorker(t, queue, maxReceives)
	ep := tr.Endpoints()[queue]
	require.Equal(t, maxReceives, ep.MaxReceiveCount)
	ctx := context.Background()
	agg := cqrs.NewAggregate(svc, "payment")
	_, err := agg.Send(ctx, "order-bad", PayOrder{Amount: 13})
	require.NoError(t, err)
	_, err = agg.Send(ctx, "order-good", PayOrder{Amount: 5})
	require.NoError(t, err)

	client := sqs.NewFromConfig(awsConfig(t))
	dead := receiveUntil(t, client, ep.DLQURL, 60*time.Second, func(got []types.Message) string {
		if len(got) == 0 {
			return "the failing command"
		}
		return ""
	})
	failure, has := dead[0].MessageAttributes[sourceflow.MetaFailure]
	require.True(t, has, "the dead letter carries %s", sourceflow.MetaFailure)
	reason := aws.ToString(failure.StringValue)
	t.Logf("%s=%q", sourceflow.MetaFailure, reason)
	assert.Contains(t, reason, "pay 13: "+errRefused.Error(), "the handler's error")
	assert.Contains(t, reason, fmt.Sprintf("last allowed receive (%d of %d)", maxReceives, maxReceives))
	assert.Equal(t, "model.PayOrder", aws.ToString(dead[0].MessageAttributes[sourceflow.MetaType].StringValue))
	// At least: a copy of the command (a retried send that had landed) is
	// handled and dead-lettered on its own.
	assert.GreaterOrEqual(t, failures.Load(), int32(maxReceives), "handled maxReceiveCount times")
	require.Eventually(t, func() bool { return handled.Load() >= 1 }, 30*time.Second, 100*time.Millisecond,
		"the other entity's command is handled")
}
