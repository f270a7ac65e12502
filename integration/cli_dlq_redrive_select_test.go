//go:build integration

package integration

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// deadLetterWith sends the dead letters ids to queue's FIFO dead-letter
// queue, in order, each of group groups[i] and with reason reasons[i].
func (r dlqRig) deadLetterWith(t *testing.T, queue string, ids, groups, reasons []string) {
	t.Helper()
	var entries []sqstypes.SendMessageBatchRequestEntry
	for i, id := range ids {
		e := deadLetterEntry(id, groups[i], true)
		e.MessageAttributes[sourceflow.MetaFailure] = sqstypes.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(reasons[i])}
		entries = append(entries, e)
	}
	out, err := r.sqs.SendMessageBatch(context.Background(), &sqs.SendMessageBatchInput{QueueUrl: r.url(t, topology.DLQName(queue)), Entries: entries})
	require.NoError(t, err)
	require.Empty(t, out.Failed)
}

// takeAll receives and deletes n messages of queue name, and returns their
// packed envelopes in the order received.
func (r dlqRig) takeAll(t *testing.T, name string, n int) []map[string]string {
	t.Helper()
	url := r.url(t, name)
	var got []map[string]string
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		out, err := r.sqs.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: url, MaxNumberOfMessages: 10,
			MessageAttributeNames: []string{"All"}, WaitTimeSeconds: 1})
		if !assert.NoError(c, err) {
			return
		}
		for _, m := range out.Messages {
			env := map[string]string{}
			assert.NoError(c, json.Unmarshal([]byte(aws.ToString(m.MessageAttributes[sourceflow.MetaEnvelope].StringValue)), &env))
			got = append(got, env)
			_, err := r.sqs.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: url, ReceiptHandle: m.ReceiptHandle})
			assert.NoError(c, err)
		}
		assert.Len(c, got, n)
	}, time.Minute, 10*time.Millisecond)
	return got
}

// dlq redrive --reason, --before and --after move only the messages of a
// FIFO dead-letter queue that match, in their group's order, each with the
// redrive counted; the others stay, and a selection that matches none
// moves nothing.
func TestCLIDLQ_RedriveMovesOnlyTheSelectedMessagesOfAFIFOQueue(t *testing.T) {
	t.Parallel() // emulator only, names of its own: see TestMain
	r := newDLQRig(t)
	dlq := topology.DLQName(r.fifo)
	r.deadLetterWith(t, r.fifo, []string{"a", "b", "c", "d"}, []string{"g-1", "g-1", "g-1", "g-2"},
		[]string{"inventory db: i/o timeout", "permanent: amount -5", "inventory db: i/o timeout", "not implemented"})

	out, errOut, code := runCLI(t, "dlq", "redrive", "-f", r.path, "--queue", dlq, "--before", "1h")
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "Moved 0 messages dead-lettered before ")
	assert.Contains(t, out, "4 messages not selected stay in "+dlq+", visible again.")

	out, errOut, code = runCLI(t, "dlq", "redrive", "-f", r.path, "--queue", dlq, "--reason", "i/o timeout", "--after", "1h")
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "by copy (--reason, --before, --after: only a copy picks messages)")
	assert.Contains(t, out, `Moved 2 messages whose reason contains "i/o timeout", dead-lettered from `)
	assert.Contains(t, out, "2 messages not selected stay in "+dlq+", visible again.")

	moved := r.takeAll(t, r.fifo, 2)
	assert.Equal(t, "a", moved[0][sourceflow.MetaMessageID], "the group's order is kept")
	assert.Equal(t, "c", moved[1][sourceflow.MetaMessageID])
	for _, env := range moved {
		assert.Equal(t, "1", env[sourceflow.MetaRedrives], "the redrive is counted")
		assert.NotEmpty(t, env[sourceflow.MetaRedrivenAt])
	}
	kept := r.takeAll(t, dlq, 2)
	ids := []string{kept[0][sourceflow.MetaMessageID], kept[1][sourceflow.MetaMessageID]}
	assert.ElementsMatch(t, []string{"b", "d"}, ids, "the others stay in the dead-letter queue")
	assert.Empty(t, kept[0][sourceflow.MetaRedrives])
}
