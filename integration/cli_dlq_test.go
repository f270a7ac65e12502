//go:build integration

package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
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

// dlqRig is a service with a FIFO and a standard command queue, applied
// through the CLI, and an SQS client to fill and drain them.
type dlqRig struct {
	sqs            *sqs.Client
	path           string
	fifo, standard string
}

func newDLQRig(t *testing.T) dlqRig {
	t.Helper()
	r := dlqRig{sqs: sqs.NewFromConfig(awsConfig(t)), fifo: uniqueName("dlq-cmd", ".fifo"), standard: uniqueName("dlq-std", "")}
	b := sourceflow.Binding{
		Service: uniqueName("dlq-svc", ""),
		Routes: []sourceflow.Route{
			{Type: "it.Create", Kind: sourceflow.KindCommand, Destination: r.fifo},
			{Type: "it.Audit", Kind: sourceflow.KindCommand, Destination: r.standard},
		},
		Listeners: []sourceflow.Listener{
			{Destination: r.fifo, Kind: sourceflow.KindCommand, Types: []string{"it.Create"}},
			{Destination: r.standard, Kind: sourceflow.KindCommand, Types: []string{"it.Audit"}},
		},
	}
	file, err := topology.NewFile(b, topology.Options{})
	require.NoError(t, err)
	var text bytes.Buffer
	require.NoError(t, file.Encode(&text))
	r.path = filepath.Join(t.TempDir(), "topology.yaml")
	require.NoError(t, os.WriteFile(r.path, text.Bytes(), 0o600))
	_, errOut, code := runCLI(t, "apply", "-f", r.path)
	require.Equal(t, cli.ExitOK, code, errOut)
	return r
}

func (r dlqRig) url(t *testing.T, name string) *string {
	t.Helper()
	out, err := r.sqs.GetQueueUrl(context.Background(), &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
	require.NoError(t, err)
	return out.QueueUrl
}

// deadLetter sends n messages to queue's dead-letter queue as awsbus
// dead-letters them, in batches of 10, and returns their message ids.
func (r dlqRig) deadLetter(t *testing.T, queue string, n int) []string {
	t.Helper()
	url, fifo := r.url(t, topology.DLQName(queue)), topology.IsFIFO(queue)
	ids := make([]string, 0, n)
	for start := 0; start < n; start += 10 {
		var entries []sqstypes.SendMessageBatchRequestEntry
		for i := start; i < min(start+10, n); i++ {
			id := fmt.Sprintf("msg-%04d", i)
			ids = append(ids, id)
			entries = append(entries, deadLetterEntry(id, fmt.Sprintf("entity-%d", i%50), fifo))
		}
		out, err := r.sqs.SendMessageBatch(context.Background(), &sqs.SendMessageBatchInput{QueueUrl: url, Entries: entries})
		require.NoError(t, err)
		require.Empty(t, out.Failed)
	}
	return ids
}

// deadLetterEntry is a message with the attributes awsbus writes on a
// dead letter: the type, the packed envelope and the failure reason.
func deadLetterEntry(id, entity string, fifo bool) sqstypes.SendMessageBatchRequestEntry {
	env, _ := json.Marshal(map[string]string{"uuid": id, sourceflow.MetaMessageID: id, sourceflow.MetaEntityID: entity})
	str := func(v string) sqstypes.MessageAttributeValue {
		return sqstypes.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
	}
	e := sqstypes.SendMessageBatchRequestEntry{
		Id: aws.String(id), MessageBody: aws.String(`{"id":"` + id + `"}`),
		MessageAttributes: map[string]sqstypes.MessageAttributeValue{
			sourceflow.MetaType: str("it.Create"), sourceflow.MetaEnvelope: str(string(env)),
			sourceflow.MetaFailure: str("cqrs: handler failed permanently"),
		},
	}
	if fifo {
		e.MessageGroupId, e.MessageDeduplicationId = aws.String(entity), aws.String("dlq-"+id)
	}
	return e
}

// depth returns the visible and in-flight messages of queue name.
func (r dlqRig) depth(t *testing.T, name string) (visible, inFlight int) {
	t.Helper()
	visible, inFlight, err := r.depthOf(r.url(t, name))
	require.NoError(t, err)
	return visible, inFlight
}

// depthOf reads the depth of the queue at url; it never fails the test, so
// a condition of require.Eventually may call it.
func (r dlqRig) depthOf(url *string) (visible, inFlight int, err error) {
	out, err := r.sqs.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{
		QueueUrl: url,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages,
			sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible},
	})
	if err != nil {
		return 0, 0, err
	}
	visible, _ = strconv.Atoi(out.Attributes[string(sqstypes.QueueAttributeNameApproximateNumberOfMessages)])
	inFlight, _ = strconv.Atoi(out.Attributes[string(sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible)])
	return visible, inFlight, nil
}

// drain receives and deletes every message of queue name and returns how
// often each message id arrived. With markerGone, no message may carry the
// failure marker.
func (r dlqRig) drain(t *testing.T, name string, markerGone bool) map[string]int {
	t.Helper()
	url, seen := r.url(t, name), map[string]int{}
	for {
		out, err := r.sqs.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
			QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 30, MessageAttributeNames: []string{"All"},
		})
		require.NoError(t, err)
		if len(out.Messages) == 0 {
			return seen
		}
		var del []sqstypes.DeleteMessageBatchRequestEntry
		for i, m := range out.Messages {
			if markerGone {
				assert.NotContains(t, m.MessageAttributes, sourceflow.MetaFailure, "a copied message does not look dead-lettered")
			}
			var env map[string]string
			require.NoError(t, json.Unmarshal([]byte(aws.ToString(m.MessageAttributes[sourceflow.MetaEnvelope].StringValue)), &env))
			seen[env[sourceflow.MetaMessageID]]++
			del = append(del, sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle})
		}
		_, err = r.sqs.DeleteMessageBatch(context.Background(), &sqs.DeleteMessageBatchInput{QueueUrl: url, Entries: del})
		require.NoError(t, err)
	}
}

// redriveUntilCancelled runs redrive of dlq and cancels it once source
// holds at least n messages.
func (r dlqRig) redriveUntilCancelled(t *testing.T, dlq, source string, n int, args ...string) int {
	t.Helper()
	url := r.url(t, source)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- cli.Run(ctx, cli.Config{Stdout: &out, Stderr: &errOut}, append([]string{"dlq", "redrive", "-f", r.path, "--queue", dlq}, args...))
	}()
	require.Eventually(t, func() bool {
		select {
		case code := <-done: // finished before the cancel: put it back for the caller
			done <- code
			return true
		default:
		}
		visible, _, err := r.depthOf(url)
		return err == nil && visible >= n
	}, 60*time.Second, 20*time.Millisecond)
	cancel()
	code := <-done
	t.Logf("$ sourceflow dlq redrive %v (cancelled at %d in %s) -> exit %d\n%s%s", args, n, source, code, out.String(), errOut.String())
	return code
}

func TestCLIDLQ_RedriveOfAThousandFIFODeadLettersLosesNothingAcrossInterruptions(t *testing.T) {
	r := newDLQRig(t)
	dlq := topology.DLQName(r.fifo)
	ids := r.deadLetter(t, r.fifo, 1000)

	out, errOut, code := runCLI(t, "dlq", "list", "-f", r.path)
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Regexp(t, dlq+`\s+`+r.fifo+`\s+1000\s+0\n`, out)
	out, errOut, code = runCLI(t, "dlq", "peek", "-f", r.path, "--queue", dlq, "--max", "3")
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "  reason      cqrs: handler failed permanently\n")

	// Stopped by --max, then by a cancelled context part-way.
	out, errOut, code = runCLI(t, "dlq", "redrive", "-f", r.path, "--queue", dlq, "--max", "250", "--rate", "0")
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "by copy (FIFO: ")
	assert.Contains(t, out, "Moved 250 messages")
	code = r.redriveUntilCancelled(t, dlq, r.fifo, 550, "--rate", "200/s")
	assert.Equal(t, cli.ExitAWS, code, "interrupted")
	source, sourceInFlight := r.depth(t, r.fifo)
	left, leftInFlight := r.depth(t, dlq)
	assert.Zero(t, sourceInFlight+leftInFlight, "an interrupted redrive hides nothing")
	assert.Equal(t, 1000, source+left, "every message is in the dead-letter queue or the source queue")
	assert.Greater(t, left, 0, "the cancel came part-way")

	out, errOut, code = runCLI(t, "dlq", "redrive", "-f", r.path, "--queue", dlq, "--rate", "0")
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, fmt.Sprintf("Moved %d messages", left))

	arrived := r.drain(t, r.fifo, true)
	for _, id := range ids {
		assert.Positive(t, arrived[id], "message %s lost", id)
	}
	assert.Len(t, arrived, 1000)
	visible, inFlight := r.depth(t, dlq)
	assert.Zero(t, visible+inFlight, "dead-letter queue empty")
}

func TestCLIDLQ_RedriveOfAStandardQueueWithMethodAuto(t *testing.T) {
	r := newDLQRig(t)
	dlq := topology.DLQName(r.standard)
	ids := r.deadLetter(t, r.standard, 50)

	out, errOut, code := runCLI(t, "dlq", "redrive", "-f", r.path, "--queue", r.standard, "--method", "auto")

	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "Moved 50 messages")
	method := regexp.MustCompile(`\(method: (native|copy)`).FindStringSubmatch(out)
	require.Len(t, method, 2, "the output names the method that ran")
	t.Logf("dlq redrive --method auto of a standard queue on %s ran the %s method", emulator(), method[1])
	arrived := r.drain(t, r.standard, method[1] == "copy")
	for _, id := range ids {
		assert.Positive(t, arrived[id], "message %s lost", id)
	}
	visible, inFlight := r.depth(t, dlq)
	assert.Zero(t, visible+inFlight, "dead-letter queue empty")
}
