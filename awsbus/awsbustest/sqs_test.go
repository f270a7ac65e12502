package awsbustest_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
)

func createQueue(t *testing.T, f *awsbustest.SQS, name string, attrs map[string]string) string {
	t.Helper()
	if strings.HasSuffix(name, ".fifo") {
		if attrs == nil {
			attrs = map[string]string{}
		}
		attrs["FifoQueue"] = "true"
	}
	out, err := f.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	require.NoError(t, err)
	return aws.ToString(out.QueueUrl)
}

func send(t *testing.T, f *awsbustest.SQS, url, body, group string) {
	t.Helper()
	in := &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(body)}
	if group != "" {
		in.MessageGroupId = aws.String(group)
		in.MessageDeduplicationId = aws.String(body)
	}
	_, err := f.SendMessage(context.Background(), in)
	require.NoError(t, err)
}

func receive(t *testing.T, f *awsbustest.SQS, url string, max int32) []types.Message {
	t.Helper()
	out, err := f.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
		QueueUrl: aws.String(url), MaxNumberOfMessages: max,
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
		MessageAttributeNames:       []string{"All"},
	})
	require.NoError(t, err)
	return out.Messages
}

func bodies(msgs []types.Message) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = aws.ToString(m.Body)
	}
	return out
}

func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func TestSQSSendValidation(t *testing.T) {
	f := awsbustest.NewSQS(awsbustest.SQSConfig{})
	std := createQueue(t, f, "std", nil)
	fifo := createQueue(t, f, "q.fifo", nil)
	attrs := func(n int) map[string]types.MessageAttributeValue {
		m := map[string]types.MessageAttributeValue{}
		for i := range n {
			m[string(rune('a'+i))] = types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String("v")}
		}
		return m
	}
	tests := []struct {
		name string
		in   sqs.SendMessageInput
		code string
	}{
		{"ok", sqs.SendMessageInput{QueueUrl: &std, MessageBody: aws.String("x"), MessageAttributes: attrs(10)}, ""},
		{"11 attributes", sqs.SendMessageInput{QueueUrl: &std, MessageBody: aws.String("x"), MessageAttributes: attrs(11)}, "InvalidParameterValue"},
		{"empty value", sqs.SendMessageInput{QueueUrl: &std, MessageBody: aws.String("x"), MessageAttributes: map[string]types.MessageAttributeValue{"k": {DataType: aws.String("String"), StringValue: aws.String("")}}}, "InvalidParameterValue"},
		{"bad name", sqs.SendMessageInput{QueueUrl: &std, MessageBody: aws.String("x"), MessageAttributes: map[string]types.MessageAttributeValue{"a b": {DataType: aws.String("String"), StringValue: aws.String("v")}}}, "InvalidParameterValue"},
		{"control char body", sqs.SendMessageInput{QueueUrl: &std, MessageBody: aws.String("a\x00b")}, "InvalidMessageContents"},
		{"too large", sqs.SendMessageInput{QueueUrl: &std, MessageBody: aws.String(strings.Repeat("x", 1<<20+1))}, "InvalidParameterValue"},
		{"dedup on standard", sqs.SendMessageInput{QueueUrl: &std, MessageBody: aws.String("x"), MessageDeduplicationId: aws.String("d")}, "InvalidParameterValue"},
		{"fifo without group", sqs.SendMessageInput{QueueUrl: &fifo, MessageBody: aws.String("x"), MessageDeduplicationId: aws.String("d")}, "MissingParameter"},
		{"fifo without dedup", sqs.SendMessageInput{QueueUrl: &fifo, MessageBody: aws.String("x"), MessageGroupId: aws.String("g")}, "InvalidParameterValue"},
		{"fifo long dedup", sqs.SendMessageInput{QueueUrl: &fifo, MessageBody: aws.String("x"), MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String(strings.Repeat("d", 129))}, "InvalidParameterValue"},
		{"missing queue", sqs.SendMessageInput{QueueUrl: aws.String("nope"), MessageBody: aws.String("x")}, "QueueDoesNotExist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.SendMessage(context.Background(), &tt.in)
			if tt.code == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Equal(t, tt.code, code(err))
		})
	}
	assert.Len(t, f.Messages(std), 1, "only the valid message is enqueued")
}

func TestSQSFIFOGroupsAndDedup(t *testing.T) {
	f := awsbustest.NewSQS(awsbustest.SQSConfig{})
	url := createQueue(t, f, "orders.fifo", nil)
	for _, b := range []string{"a1", "b1", "a2", "b2", "a1"} { // a1 repeated: deduplicated
		send(t, f, url, b, b[:1])
	}
	require.Len(t, f.Messages(url), 4)

	first := receive(t, f, url, 1)
	assert.Equal(t, []string{"a1"}, bodies(first))
	assert.Equal(t, "a", first[0].Attributes["MessageGroupId"])
	// Group a is blocked while a1 is in flight; b is free.
	assert.Equal(t, []string{"b1", "b2"}, bodies(receive(t, f, url, 10)))
	assert.Empty(t, receive(t, f, url, 10))

	_, err := f.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: first[0].ReceiptHandle})
	require.NoError(t, err)
	assert.Equal(t, []string{"a2"}, bodies(receive(t, f, url, 10)))
}

func TestSQSVisibilityAndStaleReceipt(t *testing.T) {
	f := awsbustest.NewSQS(awsbustest.SQSConfig{})
	url := createQueue(t, f, "vis", nil)
	send(t, f, url, "m", "")
	ctx := context.Background()

	m1 := receive(t, f, url, 1)
	require.Len(t, m1, 1)
	assert.Empty(t, receive(t, f, url, 1), "in flight")
	_, err := f.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: &url, ReceiptHandle: m1[0].ReceiptHandle})
	require.NoError(t, err)
	m2 := receive(t, f, url, 1)
	require.Len(t, m2, 1)
	assert.Equal(t, "2", m2[0].Attributes["ApproximateReceiveCount"])

	// The first handle is stale: deleting with it succeeds but deletes nothing.
	_, err = f.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: m1[0].ReceiptHandle})
	require.NoError(t, err)
	require.Len(t, f.Messages(url), 1)
	_, err = f.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: &url, ReceiptHandle: m1[0].ReceiptHandle})
	assert.Equal(t, "MessageNotInflight", code(err))
	_, err = f.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: aws.String("bogus")})
	assert.Equal(t, "ReceiptHandleIsInvalid", code(err))

	_, err = f.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: m2[0].ReceiptHandle})
	require.NoError(t, err)
	assert.Empty(t, f.Messages(url))
}

func TestSQSRedriveAfterMaxReceiveCount(t *testing.T) {
	f := awsbustest.NewSQS(awsbustest.SQSConfig{AccountID: "111122223333"})
	dlq := createQueue(t, f, "work-dlq", nil)
	dlqARN := f.QueueARN("work-dlq")
	assert.Contains(t, dlqARN, ":111122223333:")
	url := createQueue(t, f, "work", map[string]string{
		"RedrivePolicy": `{"deadLetterTargetArn":"` + dlqARN + `","maxReceiveCount":"3"}`,
	})
	send(t, f, url, "poison", "")
	ctx := context.Background()
	for i := 1; i <= 3; i++ {
		got := receive(t, f, url, 1)
		require.Len(t, got, 1, "receive %d", i)
		_, err := f.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: &url, ReceiptHandle: got[0].ReceiptHandle})
		require.NoError(t, err)
	}
	assert.Empty(t, receive(t, f, url, 1), "moved on the 4th receive")
	moved := f.Messages(dlq)
	require.Len(t, moved, 1)
	assert.Equal(t, "poison", moved[0].Body)
}

func TestSQSRedriveNeedsExistingDLQ(t *testing.T) {
	f := awsbustest.NewSQS(awsbustest.SQSConfig{})
	_, err := f.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String("x"), Attributes: map[string]string{
		"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:1:none","maxReceiveCount":3}`,
	}})
	assert.Equal(t, "InvalidParameterValue", code(err))
}

func TestSQSLongPollWakesOnSend(t *testing.T) {
	f := awsbustest.NewSQS(awsbustest.SQSConfig{})
	url := createQueue(t, f, "poll", nil)
	var wg sync.WaitGroup
	var got []types.Message
	start := time.Now()
	wg.Go(func() {
		out, err := f.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: &url, WaitTimeSeconds: 20})
		assert.NoError(t, err)
		got = out.Messages
	})
	time.Sleep(20 * time.Millisecond)
	send(t, f, url, "late", "")
	wg.Wait()
	require.Len(t, got, 1)
	assert.Less(t, time.Since(start), 10*time.Second, "woken by the send, not the wait time")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := f.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, WaitTimeSeconds: 20})
	assert.ErrorIs(t, err, context.Canceled)
}

func TestSQSBatches(t *testing.T) {
	f := awsbustest.NewSQS(awsbustest.SQSConfig{})
	url := createQueue(t, f, "batch", nil)
	ctx := context.Background()
	entries := func(n int) []types.SendMessageBatchRequestEntry {
		out := make([]types.SendMessageBatchRequestEntry, n)
		for i := range out {
			out[i] = types.SendMessageBatchRequestEntry{Id: aws.String(string(rune('a' + i))), MessageBody: aws.String("m")}
		}
		return out
	}
	_, err := f.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: &url, Entries: entries(11)})
	assert.Equal(t, "TooManyEntriesInBatchRequest", code(err))
	dup := entries(2)
	dup[1].Id = dup[0].Id
	_, err = f.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: &url, Entries: dup})
	assert.Equal(t, "BatchEntryIdsNotDistinct", code(err))

	f.FailNextEntries("SendMessageBatch", 1)
	bad := entries(3)
	bad[2].MessageBody = aws.String("")
	out, err := f.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: &url, Entries: bad})
	require.NoError(t, err)
	assert.Len(t, out.Successful, 1)
	require.Len(t, out.Failed, 2)
	assert.False(t, out.Failed[0].SenderFault)
	assert.True(t, out.Failed[1].SenderFault)
	assert.Len(t, f.Messages(url), 1)
	assert.Equal(t, 3, f.Calls("SendMessageBatch"))
}

func TestSQSFailNext(t *testing.T) {
	f := awsbustest.NewSQS(awsbustest.SQSConfig{})
	url := createQueue(t, f, "faults", nil)
	boom := errors.New("boom")
	f.FailNext("SendMessage", 2, boom)
	ctx := context.Background()
	for range 2 {
		_, err := f.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String("x")})
		require.ErrorIs(t, err, boom)
	}
	send(t, f, url, "x", "")
	assert.Equal(t, 3, f.Calls("SendMessage"))
	assert.Len(t, f.Messages(url), 1)
}

func TestSQSQueueAttributes(t *testing.T) {
	f := awsbustest.NewSQS(awsbustest.SQSConfig{})
	url := createQueue(t, f, "attrs", map[string]string{"VisibilityTimeout": "5"})
	ctx := context.Background()
	_, err := f.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("attrs"), Attributes: map[string]string{"VisibilityTimeout": "6"}})
	assert.Equal(t, "QueueNameExists", code(err))
	_, err = f.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: &url, Attributes: map[string]string{"Policy": `{"Statement":[]}`}})
	require.NoError(t, err)
	out, err := f.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &url, AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameAll}})
	require.NoError(t, err)
	assert.Equal(t, "5", out.Attributes["VisibilityTimeout"])
	assert.Equal(t, `{"Statement":[]}`, out.Attributes["Policy"])
	assert.Equal(t, f.QueueARN("attrs"), out.Attributes["QueueArn"])
	_, err = f.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: &url, Attributes: map[string]string{"Bogus": "1"}})
	assert.Error(t, err)
}

func TestSQSPurgeQueueDeletesEveryMessageAndRefusesASecondPurgeWithinAMinute(t *testing.T) {
	ctx := context.Background()
	s := awsbustest.NewSQS(awsbustest.SQSConfig{})
	url := createQueue(t, s, "purged", nil)
	other := createQueue(t, s, "kept", nil)
	for _, u := range []string{url, url, other} {
		_, err := s.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(u), MessageBody: aws.String("m")})
		require.NoError(t, err)
	}
	got, err := s.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 1, VisibilityTimeout: 30})
	require.NoError(t, err)
	require.Len(t, got.Messages, 1)

	_, err = s.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: aws.String(url)})
	require.NoError(t, err)

	assert.Empty(t, s.Messages(url), "the visible and the in-flight message are gone")
	assert.Len(t, s.Messages(other), 1, "another queue keeps its messages")
	_, err = s.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: got.Messages[0].ReceiptHandle})
	assert.NoError(t, err, "the receipt of a purged message deletes nothing")
	_, err = s.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: aws.String(url)})
	var inProgress *types.PurgeQueueInProgress
	assert.ErrorAs(t, err, &inProgress)
}
