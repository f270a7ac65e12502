//go:build integration

package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// dlqListRow is a queue of dlq list -o json.
type dlqListRow struct {
	Name           string `json:"name"`
	Visible        int64  `json:"visible"`
	SourceAhead    int64  `json:"source_ahead"`
	SourceInFlight int64  `json:"source_in_flight"`
	SourceMissing  bool   `json:"source_missing"`
}

// listDLQs runs dlq list -o json on path and returns its rows by
// dead-letter queue (nil when it printed none), with its exit code.
func listDLQs(path string) (map[string]dlqListRow, int) {
	var out, errOut bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	code := cli.Run(ctx, cli.Config{Stdout: &out, Stderr: &errOut}, []string{"dlq", "list", "-f", path, "-o", "json"})
	var doc struct {
		Queues []dlqListRow `json:"queues"`
	}
	if json.Unmarshal(out.Bytes(), &doc) != nil {
		return nil, code
	}
	rows := map[string]dlqListRow{}
	for _, q := range doc.Queues {
		rows[q.Name] = q
	}
	return rows, code
}

func TestCLIDLQ_ListShowsTheBacklogOfTheSourceQueues(t *testing.T) {
	t.Parallel() // emulator only, names of its own: see TestMain
	r := newDLQRig(t)
	ctx := context.Background()
	source := r.url(t, r.standard)
	for range 3 {
		_, err := r.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: source, MessageBody: aws.String("{}")})
		require.NoError(t, err)
	}
	got, err := r.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: source, MaxNumberOfMessages: 1,
		VisibilityTimeout: 300, WaitTimeSeconds: 1})
	require.NoError(t, err)
	require.Len(t, got.Messages, 1)
	r.deadLetter(t, r.standard, 2)

	require.EventuallyWithT(t, func(c *assert.CollectT) { // the counts are approximate
		rows, code := listDLQs(r.path)
		assert.Equal(c, cli.ExitOK, code)
		row := rows[topology.DLQName(r.standard)]
		assert.Equal(c, dlqListRow{Name: topology.DLQName(r.standard), Visible: 2, SourceAhead: 2, SourceInFlight: 1}, row)
		assert.Equal(c, dlqListRow{Name: topology.DLQName(r.fifo)}, rows[topology.DLQName(r.fifo)])
	}, 30*time.Second, 500*time.Millisecond, "dlq list shows the source queue's visible and in-flight messages")

	out, errOut, code := runCLI(t, "dlq", "list", "-f", r.path)
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Regexp(t, `SOURCE AHEAD\s+SOURCE IN FLIGHT\n`, out)
	assert.Regexp(t, topology.DLQName(r.standard)+`\s+`+r.standard+`\s+2\s+0\s+2\s+1\n`, out)
}
