package cli_test

import (
	"context"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

func TestDLQRedrive_AFailedFIFOEntryKeepsTheRestOfItsGroupBehindIt(t *testing.T) {
	t.Parallel()
	e := newDLQEnv(t)
	e.putFIFO(t, "a1:o-1", "a2:o-1", "a3:o-1", "b1:o-2")
	e.sqs.FailNextEntries("SendMessageBatch", 1)

	out, errOut, code := e.run(t, "dlq", "redrive", "-f", e.path, "--queue", "orders-dlq.fifo")

	assert.Equal(t, cli.ExitAWS, code)
	assert.Contains(t, out, "Moved 1 message ")
	assert.Contains(t, out, "2 messages stay in orders-dlq.fifo behind a failed message of their FIFO group")
	assert.Contains(t, errOut, "1 message could not be sent and stays in orders-dlq.fifo")
	assert.Equal(t, []string{"b1"}, bodies(e.messages("orders.fifo")), "nothing of group o-1 overtook a1")
	left := e.messages("orders-dlq.fifo")
	assert.Equal(t, []string{"a1", "a2", "a3"}, bodies(left))
	for _, m := range left {
		assert.False(t, m.InFlight, "released when the run ends, for an immediate re-run")
	}

	_, errOut, code = e.run(t, "dlq", "redrive", "-f", e.path, "--queue", "orders-dlq.fifo")
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Equal(t, []string{"b1", "a1", "a2", "a3"}, bodies(e.messages("orders.fifo")))
}

func TestDLQRedrive_AFailedUnsentEntryIsVisibleToAnImmediateRerun(t *testing.T) {
	t.Parallel()
	e := newDLQEnv(t)
	for _, id := range []string{"a", "b", "c"} {
		e.put(t, "orders-order-events-dlq", letter{id: id, typ: "orders.OrderCreated", entity: "o-" + id, reason: "boom", body: id})
	}
	e.sqs.FailNextEntries("SendMessageBatch", 1)

	_, errOut, code := e.run(t, "dlq", "redrive", "-f", e.path, "--queue", "orders-order-events-dlq", "--method", "copy")
	assert.Equal(t, cli.ExitAWS, code)
	assert.Contains(t, errOut, "they are visible again: run the command again to retry them")

	out, errOut, code := e.run(t, "dlq", "redrive", "-f", e.path, "--queue", "orders-order-events-dlq", "--method", "copy")
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "Moved 1 message ")
	assert.NotContains(t, out, "another reader")
	assert.Empty(t, e.messages("orders-order-events-dlq"))
}

// failSecondSend fails the second SendMessageBatch call.
type failSecondSend struct {
	*awsbustest.MoveTaskSQS
	mu    sync.Mutex
	calls int
}

func (f *failSecondSend) SendMessageBatch(ctx context.Context, in *sqs.SendMessageBatchInput, opts ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error) {
	f.mu.Lock()
	f.calls++
	n := f.calls
	f.mu.Unlock()
	if n == 2 {
		return nil, awsbustest.ErrInjected
	}
	return f.MoveTaskSQS.SendMessageBatch(ctx, in, opts...)
}

func TestDLQRedrive_ASendFailureAfterASentSubBatchCountsAndDeletesWhatWasSent(t *testing.T) {
	t.Parallel()
	e := newDLQEnv(t)
	for _, id := range []string{"a1", "a2", "a3"} {
		e.put(t, "orders-dlq.fifo", letter{id: id, typ: "orders.CreateOrder", entity: "o-1", reason: "boom", body: id})
	}
	e.client = &failSecondSend{MoveTaskSQS: e.sqs}

	_, errOut, code := e.run(t, "dlq", "redrive", "-f", e.path, "--queue", "orders-dlq.fifo")

	assert.Equal(t, cli.ExitAWS, code)
	assert.Contains(t, errOut, "interrupted after moving 1 message: send 1 message to orders.fifo")
	assert.Equal(t, []string{"a1"}, bodies(e.messages("orders.fifo")))
	left := e.messages("orders-dlq.fifo")
	assert.Equal(t, []string{"a2", "a3"}, bodies(left), "a1 deleted once sent")
	for _, m := range left {
		assert.False(t, m.InFlight)
	}
}

func bodies(msgs []awsbustest.Message) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.Body
	}
	return out
}

func TestDLQRedrive_AnInterruptedRunStillSaysWhichEntriesFailedAndWhatTheyHeldBack(t *testing.T) {
	t.Parallel()
	e := newDLQEnv(t)
	e.putFIFO(t, "a1:o-1", "b1:o-2", "a2:o-1", "c1:o-3")
	e.sqs.FailNextEntries("SendMessageBatch", 1)
	e.client = &failSecondSend{MoveTaskSQS: e.sqs}

	_, errOut, code := e.run(t, "dlq", "redrive", "-f", e.path, "--queue", "orders-dlq.fifo")

	assert.Equal(t, cli.ExitAWS, code)
	assert.Contains(t, errOut, "interrupted after moving 1 message")
	assert.Contains(t, errOut, "send 1 message to orders.fifo")
	assert.Contains(t, errOut, "before that: 1 message could not be sent, 1 message stays behind a failed message of its FIFO group, "+
		"failed entries: send to orders.fifo: InternalError: injected entry failure")
	assert.Equal(t, []string{"b1"}, bodies(e.messages("orders.fifo")))
	assert.Equal(t, []string{"a1", "a2", "c1"}, bodies(e.messages("orders-dlq.fifo")))
}

func TestDLQRedrive_MessagesSQSHoldsBehindAFailedFIFOMessageAreNotBlamedOnAnotherReader(t *testing.T) {
	t.Parallel()
	e := newDLQEnv(t)
	e.putFIFO(t, "a1:o-1", "a2:o-1", "a3:o-1", "b1:o-2")
	e.sqs.FailNextEntries("SendMessageBatch", 1)

	// One message a receive: the run never receives a2 and a3, which SQS
	// holds back while the run hides a1.
	out, errOut, code := e.run(t, "dlq", "redrive", "-f", e.path, "--queue", "orders-dlq.fifo", "--rate", "1/s")

	assert.Equal(t, cli.ExitAWS, code, errOut)
	assert.Contains(t, out, "Moved 1 message ")
	assert.Contains(t, out, "About 2 messages remain in orders-dlq.fifo, behind a failed message of their FIFO group")
	assert.NotContains(t, out, "in flight with another reader (a consumer")
	assert.Equal(t, []string{"b1"}, bodies(e.messages("orders.fifo")))
	assert.Equal(t, []string{"a1", "a2", "a3"}, bodies(e.messages("orders-dlq.fifo")))
}
