package cli_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// interruptDuringReceive cancels a run's context while a receive is under
// way: SQS hands the messages out, and the SDK drops the answer of a call
// whose context ended, leaving them hidden.
type interruptDuringReceive struct {
	*awsbustest.MoveTaskSQS
	cancel context.CancelFunc
}

func (c interruptDuringReceive) ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, opts ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error) {
	out, err := c.MoveTaskSQS.ReceiveMessage(ctx, in, opts...)
	c.cancel()
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return out, err
}

func TestDLQPurgeType_AnInterruptDuringAReceiveFinishesTheBatchAndHidesNothing(t *testing.T) {
	e := newDLQEnv(t)
	e.put(t, "orders-order-events-dlq", letter{id: "m1", typ: "orders.OrderShipped", entity: "o", reason: "boom", body: "{}"})
	for i := range 11 {
		e.put(t, "orders-order-events-dlq", letter{id: fmt.Sprint("c", i), typ: "orders.OrderCreated", entity: "o", reason: "boom", body: "{}"})
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e.client = interruptDuringReceive{MoveTaskSQS: e.sqs, cancel: cancel}

	out, errOut, code := e.runContext(t, ctx, "dlq", "purge", "-f", e.path, "--queue", "orders-order-events-dlq",
		"--type", "orders.OrderShipped", "--yes")

	assert.Equal(t, cli.ExitInterrupted, code, errOut)
	assert.Contains(t, out, "Deleted 1 message of type orders.OrderShipped")
	assert.Contains(t, out, "9 messages of other types are visible again")
	assert.Contains(t, errOut, "deleted 1, then stopped")
	kept := typesOf(t, e.messages("orders-order-events-dlq"))
	assert.Len(t, kept, 11)
	assert.NotContains(t, kept, "orders.OrderShipped")
}
