package cli_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

func TestDLQRedrive_FIFOCopyKeepsGroupsAndAttributesAndDropsTheFailureMarker(t *testing.T) {
	t.Parallel()
	e := newDLQEnv(t)
	sent := e.put(t, "orders-dlq.fifo", letter{id: "id-1", typ: "orders.CreateOrder", entity: "o-1", reason: "boom", body: `{"n":1}`})
	e.put(t, "orders-dlq.fifo", letter{id: "id-2", typ: "orders.CreateOrder", entity: "o-1", reason: "boom", body: `{"n":2}`, packedReason: true})
	e.put(t, "orders-dlq.fifo", letter{id: "id-3", typ: "orders.CreateOrder", entity: "o-2", reason: "boom", body: `{"n":3}`})
	dead := e.messages("orders-dlq.fifo")

	out, errOut, code := e.run(t, "dlq", "redrive", "-f", e.path, "--queue", "orders-dlq.fifo")

	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "Redrive orders-dlq.fifo -> orders.fifo by copy (FIFO: group ids kept, deduplication ids derived from the message ids)")
	assert.Contains(t, out, "Moved 3 messages from orders-dlq.fifo to orders.fifo (method: copy).\n")
	assert.Contains(t, errOut, "orders-dlq.fifo -> orders.fifo 100%", "progress bar on standard error")
	assert.Empty(t, e.messages("orders-dlq.fifo"))
	moved := e.messages("orders.fifo")
	require.Len(t, moved, 3)
	for i, m := range moved {
		assert.Equal(t, dead[i].Body, m.Body, "order kept")
		assert.Equal(t, dead[i].GroupID, m.GroupID)
		assert.Equal(t, "redrive-"+dead[i].ID, m.DeduplicationID)
		assert.NotContains(t, m.Attributes, sourceflow.MetaFailure)
		var env map[string]string
		require.NoError(t, json.Unmarshal([]byte(m.Attributes[sourceflow.MetaEnvelope]), &env))
		assert.NotContains(t, env, sourceflow.MetaFailure)
		assert.Equal(t, "1", env[sourceflow.MetaRedrives], "the redrive is counted")
		assert.NotEmpty(t, env[sourceflow.MetaRedrivenAt])
		assert.Equal(t, dead[i].Attributes[sourceflow.MetaType], m.Attributes[sourceflow.MetaType])
		assert.Equal(t, dead[i].Attributes["traceparent"], m.Attributes["traceparent"])
	}
	var first, back map[string]string
	require.NoError(t, json.Unmarshal([]byte(*sent[sourceflow.MetaEnvelope].StringValue), &first))
	require.NoError(t, json.Unmarshal([]byte(moved[0].Attributes[sourceflow.MetaEnvelope]), &back))
	delete(back, sourceflow.MetaRedrives)
	delete(back, sourceflow.MetaRedrivenAt)
	assert.Equal(t, first, back, "envelope kept as sent, with the redrive counted")
	assert.Len(t, moved[0].Attributes, len(sent)-1, "every attribute but the failure marker")
}

func TestDLQRedrive_StandardQueueAutoUsesTheNativeMoveTask(t *testing.T) {
	t.Parallel()
	e := newDLQEnv(t)
	e.sqs.RunningLists = 2
	for _, id := range []string{"a", "b"} {
		e.put(t, "orders-order-events-dlq", letter{id: id, typ: "orders.OrderCreated", entity: "o-" + id, reason: "boom", body: "{}"})
	}

	out, errOut, code := e.run(t, "dlq", "redrive", "-f", e.path, "--queue", "orders-order-events-dlq")

	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "by native (standard queue: SQS message move task)")
	assert.Contains(t, out, "Moved 2 messages from orders-order-events-dlq to orders-order-events (method: native, SQS message move task).\n")
	assert.Equal(t, 1, e.sqs.Calls("StartMessageMoveTask"))
	assert.Len(t, e.clock.Waits(), 2, "one poll wait per RUNNING answer")
	assert.Len(t, e.messages("orders-order-events"), 2)
	assert.Empty(t, e.messages("orders-order-events-dlq"))
	assert.Zero(t, e.sqs.Calls("SendMessageBatch"))
}

func TestDLQRedrive_AutoFallsBackToCopyWhenNoMoveTaskStarts(t *testing.T) {
	t.Parallel()
	e := newDLQEnv(t)
	e.put(t, "orders-order-events-dlq", letter{id: "a", typ: "orders.OrderCreated", entity: "o-a", reason: "boom", body: "{}"})
	e.sqs.FailNext("StartMessageMoveTask", 1, nil)

	out, errOut, code := e.run(t, "dlq", "redrive", "-f", e.path, "--queue", "orders-order-events")

	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "The native method is not available here (start a message move task: awsbustest: injected failure); copying instead.\n")
	assert.Contains(t, out, "(method: copy)")
	assert.Len(t, e.messages("orders-order-events"), 1)

	e.put(t, "orders-order-events-dlq", letter{id: "b", typ: "orders.OrderCreated", entity: "o-b", reason: "boom", body: "{}"})
	e.sqs.FailNext("StartMessageMoveTask", 1, nil)
	_, errOut, code = e.run(t, "dlq", "redrive", "-f", e.path, "--queue", "orders-order-events", "--method", "native")
	assert.Equal(t, cli.ExitAWS, code, "--method native does not fall back")
	assert.Contains(t, errOut, "native method: start a message move task")
	assert.Len(t, e.messages("orders-order-events-dlq"), 1)
}

func TestDLQRedrive_DeletesOnlyWhatWasSent(t *testing.T) {
	t.Parallel()
	e := newDLQEnv(t)
	for _, id := range []string{"a", "b", "c"} {
		e.put(t, "orders-dlq.fifo", letter{id: id, typ: "orders.CreateOrder", entity: "o-" + id, reason: "boom", body: "{}"})
	}
	e.sqs.FailNext("SendMessageBatch", 1, nil)

	_, errOut, code := e.run(t, "dlq", "redrive", "-f", e.path, "--queue", "orders-dlq.fifo")

	assert.Equal(t, cli.ExitAWS, code)
	assert.Contains(t, errOut, "interrupted after moving 0 messages")
	assert.Contains(t, errOut, "run the command again to move the rest")
	assert.Zero(t, e.sqs.Calls("DeleteMessageBatch"), "nothing deleted that was not sent")
	assert.Empty(t, e.messages("orders.fifo"))
	require.Len(t, e.messages("orders-dlq.fifo"), 3)
	for _, m := range e.messages("orders-dlq.fifo") {
		assert.False(t, m.InFlight, "released for the next run")
	}

	_, errOut, code = e.run(t, "dlq", "redrive", "-f", e.path, "--queue", "orders-dlq.fifo")
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Len(t, e.messages("orders.fifo"), 3)
	assert.Empty(t, e.messages("orders-dlq.fifo"))
}

func TestDLQRedrive_AFailedEntryStaysInTheDeadLetterQueue(t *testing.T) {
	t.Parallel()
	e := newDLQEnv(t)
	for _, id := range []string{"a", "b", "c"} {
		e.put(t, "orders-order-events-dlq", letter{id: id, typ: "orders.OrderCreated", entity: "o-" + id, reason: "boom", body: id})
	}
	e.sqs.FailNextEntries("SendMessageBatch", 1)

	out, errOut, code := e.run(t, "dlq", "redrive", "-f", e.path, "--queue", "orders-order-events-dlq", "--method", "copy")

	assert.Equal(t, cli.ExitAWS, code)
	assert.Contains(t, out, "Moved 2 messages")
	assert.Contains(t, errOut, "1 message could not be sent and stays in orders-order-events-dlq; 0 were sent but not deleted")
	assert.Contains(t, errOut, "send to orders-order-events: InternalError: injected entry failure")
	left := e.messages("orders-order-events-dlq")
	require.Len(t, left, 1)
	assert.Equal(t, "a", left[0].Body)
	assert.Len(t, e.messages("orders-order-events"), 2)
}

func TestDLQRedrive_InterruptedBetweenSendAndDeleteLosesNothing(t *testing.T) {
	tests := []struct {
		name, dlq, source string
		// wantAfterRerun is the source queue's size after the re-run: FIFO
		// drops the re-sent duplicates, standard keeps them.
		wantAfterRerun int
	}{
		{"fifo", "orders-dlq.fifo", "orders.fifo", 3},
		{"standard", "orders-order-events-dlq", "orders-order-events", 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newDLQEnv(t)
			for _, id := range []string{"a", "b", "c"} {
				e.put(t, tt.dlq, letter{id: id, typ: "orders.CreateOrder", entity: "o-" + id, reason: "boom", body: id})
			}
			e.sqs.FailNext("DeleteMessageBatch", 1, context.Canceled)

			_, errOut, code := e.run(t, "dlq", "redrive", "-f", e.path, "--queue", tt.dlq, "--method", "copy")

			assert.Equal(t, cli.ExitAWS, code)
			assert.Contains(t, errOut, "interrupted after moving 3 messages")
			assert.Contains(t, errOut, "they are in both queues")
			assert.Len(t, e.messages(tt.dlq), 3, "still in the dead-letter queue")
			assert.Len(t, e.messages(tt.source), 3, "and in the source queue")

			_, errOut, code = e.run(t, "dlq", "redrive", "-f", e.path, "--queue", tt.dlq, "--method", "copy")
			require.Equal(t, cli.ExitOK, code, errOut)
			assert.Empty(t, e.messages(tt.dlq))
			source := e.messages(tt.source)
			assert.Len(t, source, tt.wantAfterRerun)
			bodies := map[string]bool{}
			for _, m := range source {
				bodies[m.Body] = true
			}
			assert.Equal(t, map[string]bool{"a": true, "b": true, "c": true}, bodies)
		})
	}
}

// cancelAfterSend cancels a redrive's context once its first batch is sent.
type cancelAfterSend struct {
	*awsbustest.MoveTaskSQS
	cancel context.CancelFunc
}

func (c cancelAfterSend) SendMessageBatch(ctx context.Context, in *sqs.SendMessageBatchInput, opts ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error) {
	out, err := c.MoveTaskSQS.SendMessageBatch(ctx, in, opts...)
	c.cancel()
	return out, err
}

func TestDLQRedrive_AnInterruptFinishesTheBatchInHandAndARerunMovesTheRest(t *testing.T) {
	t.Parallel()
	e := newDLQEnv(t)
	for i := range 25 {
		e.put(t, "orders-order-events-dlq", letter{id: fmt.Sprint(i), typ: "orders.OrderCreated", entity: "o", reason: "boom", body: fmt.Sprint(i)})
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e.client = cancelAfterSend{MoveTaskSQS: e.sqs, cancel: cancel}

	_, errOut, code := e.runContext(t, ctx, "dlq", "redrive", "-f", e.path, "--queue", "orders-order-events-dlq", "--method", "copy")

	assert.Equal(t, cli.ExitInterrupted, code)
	assert.Contains(t, errOut, "interrupted after moving 10 messages: context canceled")
	assert.Len(t, e.messages("orders-order-events"), 10)
	left := e.messages("orders-order-events-dlq")
	assert.Len(t, left, 15, "sent messages deleted, the rest left")
	for _, m := range left {
		assert.False(t, m.InFlight)
	}

	e.client = nil
	_, errOut, code = e.run(t, "dlq", "redrive", "-f", e.path, "--queue", "orders-order-events-dlq", "--method", "copy")
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Len(t, e.messages("orders-order-events"), 25)
	assert.Empty(t, e.messages("orders-order-events-dlq"))
}

func TestDLQRedrive_RightAfterAPeekMovesThePeekedMessages(t *testing.T) {
	t.Parallel()
	e := newDLQEnv(t)
	for _, id := range []string{"a", "b", "c"} {
		e.put(t, "orders-dlq.fifo", letter{id: id, typ: "orders.CreateOrder", entity: "o-" + id, reason: "boom", body: id})
	}
	_, errOut, code := e.run(t, "dlq", "peek", "-f", e.path, "--queue", "orders-dlq.fifo", "--max", "2")
	require.Equal(t, cli.ExitOK, code, errOut)
	for _, m := range e.messages("orders-dlq.fifo") {
		assert.False(t, m.InFlight, "peek hands back what it received")
	}

	out, errOut, code := e.run(t, "dlq", "redrive", "-f", e.path, "--queue", "orders-dlq.fifo")

	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "Moved 3 messages")
	assert.Empty(t, e.messages("orders-dlq.fifo"))
}

func TestDLQRedrive_SaysWhatAnotherReaderHolds(t *testing.T) {
	t.Parallel()
	e := newDLQEnv(t)
	for _, id := range []string{"a", "b"} {
		e.put(t, "orders-order-events-dlq", letter{id: id, typ: "orders.OrderCreated", entity: "o-" + id, reason: "boom", body: id})
	}
	_, err := e.sqs.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
		QueueUrl: aws.String(e.sqs.QueueURL("orders-order-events-dlq")), MaxNumberOfMessages: 1, VisibilityTimeout: 60,
	})
	require.NoError(t, err)

	out, errOut, code := e.run(t, "dlq", "redrive", "-f", e.path, "--queue", "orders-order-events-dlq", "--method", "copy")

	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "Moved 1 message ")
	assert.Contains(t, out, "About 1 message remains in orders-order-events-dlq, in flight with another reader (a consumer, a peek or another redrive); run the command again")
	assert.Len(t, e.messages("orders-order-events-dlq"), 1)
}
