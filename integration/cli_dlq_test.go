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
	"sync/atomic"
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
	visible, inFlight, err := queueDepth(context.Background(), r.sqs, aws.ToString(r.url(t, name)))
	require.NoError(t, err)
	return visible, inFlight
}

// arrival is a message drained from a queue: its message id and group.
type arrival struct{ id, group string }

// drain receives and deletes every message of queue name and returns them
// in the order received (per group, the order of the queue). With
// markerGone, no message may carry the failure marker. It ends when the
// queue holds nothing, in flight included: a receive whose answer was lost
// leaves its messages in flight (and, on a FIFO queue, the rest of their
// group behind them) until their visibility timeout.
func (r dlqRig) drain(t *testing.T, name string, markerGone bool) []arrival {
	t.Helper()
	url := r.url(t, name)
	var got []arrival
	deadline := time.Now().Add(2 * time.Minute)
	for {
		out, err := r.sqs.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
			QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 30, MessageAttributeNames: []string{"All"},
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameMessageGroupId},
		})
		require.NoError(t, err)
		if len(out.Messages) == 0 {
			visible, inFlight, err := queueDepth(context.Background(), r.sqs, aws.ToString(url))
			require.NoError(t, err)
			if visible+inFlight == 0 {
				return got
			}
			require.True(t, time.Now().Before(deadline), "%d messages of %s stay in flight", inFlight, name)
			continue
		}
		var del []sqstypes.DeleteMessageBatchRequestEntry
		for i, m := range out.Messages {
			if markerGone {
				assert.NotContains(t, m.MessageAttributes, sourceflow.MetaFailure, "a copied message does not look dead-lettered")
			}
			var env map[string]string
			require.NoError(t, json.Unmarshal([]byte(aws.ToString(m.MessageAttributes[sourceflow.MetaEnvelope].StringValue)), &env))
			group := m.Attributes[string(sqstypes.MessageSystemAttributeNameMessageGroupId)]
			got = append(got, arrival{id: env[sourceflow.MetaMessageID], group: group})
			del = append(del, sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle})
		}
		_, err = r.sqs.DeleteMessageBatch(context.Background(), &sqs.DeleteMessageBatchInput{QueueUrl: url, Entries: del})
		require.NoError(t, err)
	}
}

// assertAllArrived checks that every id of ids arrived (duplicates allowed)
// and nothing else. With fifo, each message is in the group deadLetter gave
// it, and each group's messages arrived in the order they were sent, a
// duplicate of an earlier message aside.
func assertAllArrived(t *testing.T, ids []string, got []arrival, fifo bool) {
	t.Helper()
	seen, last := map[string]bool{}, map[string]int{}
	for _, a := range got {
		var n int
		_, err := fmt.Sscanf(a.id, "msg-%d", &n)
		require.NoError(t, err, "unknown message %q", a.id)
		if fifo {
			assert.Equal(t, fmt.Sprintf("entity-%d", n%50), a.group, "group of %s", a.id)
		}
		if seen[a.id] {
			continue
		}
		seen[a.id] = true
		if prev, ok := last[a.group]; fifo && ok {
			assert.Greater(t, n, prev, "%s arrived after msg-%04d in group %s", a.id, prev, a.group)
		}
		last[a.group] = n
	}
	for _, id := range ids {
		assert.True(t, seen[id], "message %s lost", id)
	}
	assert.Len(t, seen, len(ids))
}

// cancellingSQS is the CLI's SQS client that cancels the command once
// sends SendMessageBatch calls have returned: an interruption at a known
// point, whatever the machine's speed.
type cancellingSQS struct {
	*sqs.Client
	sends  int32
	calls  atomic.Int32
	cancel context.CancelFunc
}

func (c *cancellingSQS) SendMessageBatch(ctx context.Context, in *sqs.SendMessageBatchInput, opts ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error) {
	out, err := c.Client.SendMessageBatch(ctx, in, opts...)
	if c.calls.Add(1) == c.sends {
		c.cancel()
	}
	return out, err
}

// redriveCancelledAfter runs redrive of dlq and cancels it once sends
// batches have been sent.
func (r dlqRig) redriveCancelledAfter(t *testing.T, dlq string, sends int32, args ...string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	clients := func(ctx context.Context) (cli.Clients, error) {
		c, err := cli.LoadClients(ctx)
		if err == nil {
			c.SQS = &cancellingSQS{Client: c.SQS.(*sqs.Client), sends: sends, cancel: cancel}
		}
		return c, err
	}
	var out, errOut bytes.Buffer
	code := cli.Run(ctx, cli.Config{Clients: clients, Stdout: &out, Stderr: &errOut},
		append([]string{"dlq", "redrive", "-f", r.path, "--queue", dlq}, args...))
	t.Logf("$ sourceflow dlq redrive %v (cancelled after %d sends) -> exit %d\n%s%s", args, sends, code, out.String(), errOut.String())
	return code
}

func TestCLIDLQ_RedriveOfAThousandFIFODeadLettersLosesNothingAcrossInterruptions(t *testing.T) {
	t.Parallel() // emulator only, names of its own: see TestMain
	r := newDLQRig(t)
	dlq := topology.DLQName(r.fifo)
	ids := r.deadLetter(t, r.fifo, 1000)

	out, errOut, code := runCLI(t, "dlq", "list", "-f", r.path)
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Regexp(t, dlq+`\s+`+r.fifo+`\s+1000\s+0\s`, out)
	out, errOut, code = runCLI(t, "dlq", "peek", "-f", r.path, "--queue", dlq, "--max", "3")
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "  reason      cqrs: handler failed permanently\n")

	// Stopped by --max, then by a cancelled context part-way.
	out, errOut, code = runCLI(t, "dlq", "redrive", "-f", r.path, "--queue", dlq, "--max", "250", "--rate", "0")
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "by copy (FIFO: ")
	assert.Contains(t, out, "Moved 250 messages")
	code = r.redriveCancelledAfter(t, dlq, 30, "--rate", "0")
	assert.Equal(t, cli.ExitInterrupted, code, "interrupted")
	source, sourceInFlight := r.depth(t, r.fifo)
	left, leftInFlight := r.depth(t, dlq)
	assert.Zero(t, sourceInFlight, "nothing in flight in the source queue")
	// The redrive releases what it received and did not move; on LocalStack
	// one FIFO group's messages have stayed in flight after an interruption
	// until their visibility timeout (about 1 run in 3): counted, not lost.
	assert.Equal(t, 1000, source+left+leftInFlight, "every message is in the dead-letter queue or the source queue")
	left += leftInFlight
	assert.Less(t, source, 1000, "the cancel came part-way: 30 sends move at most 300 of the 750 left")
	assert.GreaterOrEqual(t, source, 250+30, "each send moved at least one message")

	// Run until the dead-letter queue is empty, as the command says to: a
	// run that ends while some of a FIFO group is in flight says so, and
	// those messages are moved once visible again.
	moved := 0
	for run := 0; ; run++ {
		out, errOut, code = runCLI(t, "dlq", "redrive", "-f", r.path, "--queue", dlq, "--rate", "0")
		require.Equal(t, cli.ExitOK, code, errOut)
		m := movedLine.FindStringSubmatch(out)
		require.NotNil(t, m, out)
		n, _ := strconv.Atoi(m[1])
		moved += n
		if visible, inFlight := r.depth(t, dlq); visible+inFlight == 0 || run == 3 {
			break
		}
		dlqURL := r.url(t, dlq)
		require.EventuallyWithT(t, func(c *assert.CollectT) {
			_, inFlight, err := queueDepth(context.Background(), r.sqs, aws.ToString(dlqURL))
			require.NoError(c, err)
			assert.Zero(c, inFlight)
		},
			2*time.Minute, time.Second, "messages in flight become visible again")
	}
	assert.Equal(t, left, moved, "the runs moved what the interrupted one left")

	assertAllArrived(t, ids, r.drain(t, r.fifo, true), true)
	visible, inFlight := r.depth(t, dlq)
	assert.Zero(t, visible+inFlight, "dead-letter queue empty")
}

var movedLine = regexp.MustCompile(`Moved (\d+) messages?`)

func TestCLIDLQ_RedriveOfAStandardQueueWithMethodAuto(t *testing.T) {
	t.Parallel() // emulator only, names of its own: see TestMain
	r := newDLQRig(t)
	dlq := topology.DLQName(r.standard)
	ids := r.deadLetter(t, r.standard, 50)

	out, errOut, code := runCLI(t, "dlq", "redrive", "-f", r.path, "--queue", r.standard, "--method", "auto")

	require.Equal(t, cli.ExitOK, code, errOut)
	// At least the 50: a batch of dead letters that the SDK sent again after
	// losing its answer is in the standard dead-letter queue twice.
	m := movedLine.FindStringSubmatch(out)
	require.NotNil(t, m, out)
	moved, _ := strconv.Atoi(m[1])
	assert.GreaterOrEqual(t, moved, 50, out)
	method := regexp.MustCompile(`\(method: (native|copy)`).FindStringSubmatch(out)
	require.Len(t, method, 2, "the output names the method that ran")
	t.Logf("dlq redrive --method auto of a standard queue on %s ran the %s method", emulator(), method[1])
	assertAllArrived(t, ids, r.drain(t, r.standard, method[1] == "copy"), false)
	visible, inFlight := r.depth(t, dlq)
	assert.Zero(t, visible+inFlight, "dead-letter queue empty")
}

func TestCLIDLQ_PurgeEmptiesTheDeadLetterQueueAndLeavesItsQueue(t *testing.T) {
	r := newDLQRig(t)
	dlq := topology.DLQName(r.fifo)
	r.deadLetter(t, r.fifo, 25)
	r.deadLetter(t, r.standard, 3) // another dead-letter queue
	source := r.url(t, r.fifo)
	_, err := r.sqs.SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: source, MessageBody: aws.String("{}"),
		MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String("kept")})
	require.NoError(t, err)

	out, errOut, code := runCLI(t, "dlq", "purge", "-f", r.path, "--queue", dlq)
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "Nothing deleted: add --yes", "without --yes purge deletes nothing")
	visible, inFlight := r.depth(t, dlq)
	assert.GreaterOrEqual(t, visible+inFlight, 25)

	out, errOut, code = runCLI(t, "dlq", "purge", "-f", r.path, "--queue", dlq, "--yes")
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "Purged dead-letter queue "+dlq)

	url := r.url(t, dlq)
	require.Eventually(t, func() bool { // SQS completes a purge within 60 s
		visible, inFlight, err := queueDepth(context.Background(), r.sqs, aws.ToString(url))
		return err == nil && visible+inFlight == 0
	}, 90*time.Second, 500*time.Millisecond, "the dead-letter queue empties")
	visible, _ = r.depth(t, topology.DLQName(r.standard))
	assert.GreaterOrEqual(t, visible, 3, "another dead-letter queue keeps its messages")
	visible, _ = r.depth(t, r.fifo)
	assert.Equal(t, 1, visible, "the source queue keeps its message")
}
