package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
)

// deadLetterWithEnvelope is a message an awsbus consumer dead-lettered:
// SourceFlow's envelope packed in sf_env with its hop count and the
// consume markers of the failed delivery.
func deadLetterWithEnvelope(t testing.TB) sqstypes.Message {
	env, err := json.Marshal(map[string]string{
		envelopeUUID: "0f3c1d2e-5b6a-4c7d-8e9f-a0b1c2d3e4f5", sourceflow.MetaHops: "3",
		sourceflow.MetaFailure: "cqrs: hop limit", sourceflow.MetaLastError: "boom", "name": "orders.PlaceOrder",
	})
	require.NoError(t, err)
	str := func(v string) sqstypes.MessageAttributeValue {
		return sqstypes.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
	}
	return sqstypes.Message{
		MessageId: aws.String("sqs-1"), Body: aws.String(`{"order_id":"o-1"}`),
		MessageAttributes: map[string]sqstypes.MessageAttributeValue{
			sourceflow.MetaEnvelope: str(string(env)), sourceflow.MetaType: str("orders.PlaceOrder"),
			sourceflow.MetaFailure: str("cqrs: hop limit"),
		},
	}
}

// A redriven message's envelope loses the consume markers (and with
// --reset-hops its hop count) and counts one more redrive, all in sf_env
// read once: the entry of one message costs the allocations of one
// decode and one encode of it.
func TestRedriveEntryDecodesTheEnvelopeOnce(t *testing.T) {
	m, at := deadLetterWithEnvelope(t), time.Date(2026, 12, 7, 2, 10, 0, 0, time.UTC)

	e, packed := redriveEntry("m0", m, false, true, at)

	assert.False(t, packed)
	assert.NotContains(t, e.MessageAttributes, sourceflow.MetaFailure)
	var env map[string]string
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(e.MessageAttributes[sourceflow.MetaEnvelope].StringValue)), &env))
	assert.Equal(t, map[string]string{
		envelopeUUID: "0f3c1d2e-5b6a-4c7d-8e9f-a0b1c2d3e4f5", "name": "orders.PlaceOrder",
		sourceflow.MetaRedrives: "1", sourceflow.MetaRedrivenAt: "2026-12-07T02:10:00Z",
	}, env)

	allocs := testing.AllocsPerRun(100, func() { redriveEntry("m0", m, false, true, at) })
	t.Logf("redriveEntry: %.0f allocations", allocs)
	assert.LessOrEqual(t, allocs, 48.0, "the envelope is decoded once per entry")
}

func BenchmarkRedriveEntry(b *testing.B) {
	m, at := deadLetterWithEnvelope(b), time.Now()
	b.ReportAllocs()
	for b.Loop() {
		redriveEntry("m0", m, false, true, at)
	}
}

// deadLettersWithEnvelope is n messages like deadLetterWithEnvelope's,
// each with an SQS id of its own.
func deadLettersWithEnvelope(t testing.TB, n int) []sqstypes.Message {
	msgs := make([]sqstypes.Message, n)
	for i := range msgs {
		msgs[i] = deadLetterWithEnvelope(t)
		msgs[i].MessageId = aws.String(fmt.Sprint("sqs-", i))
	}
	return msgs
}

// sendingCopier is a copier whose sends all succeed, the entries of the
// last one kept in last.
func sendingCopier(last *[]sqstypes.SendMessageBatchRequestEntry) *copier {
	return &copier{api: sendOnlySQS{last: last}, sent: sentIDs{}, left: map[string]bool{}, blocked: map[string]bool{}}
}

// sendOnlySQS answers every SendMessageBatch entry as sent, and keeps the
// entries of the last call; it has no other call.
type sendOnlySQS struct {
	dlqSQS
	last *[]sqstypes.SendMessageBatchRequestEntry
}

func (f sendOnlySQS) SendMessageBatch(_ context.Context, in *sqs.SendMessageBatchInput, _ ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error) {
	*f.last = in.Entries
	out := &sqs.SendMessageBatchOutput{}
	for _, e := range in.Entries {
		out.Successful = append(out.Successful, sqstypes.SendMessageBatchResultEntry{Id: e.Id, MessageId: aws.String("sent-" + aws.ToString(e.Id))})
	}
	return out, nil
}

// A copy sends the entries it sized the batch with, each built once: the
// batch costs fewer allocations than building every entry twice.
func TestRedriveCopySendBuildsEachEntryOnce(t *testing.T) {
	msgs := deadLettersWithEnvelope(t, 10)
	var entries []sqstypes.SendMessageBatchRequestEntry
	send := func() ([]sqstypes.Message, error) {
		c := sendingCopier(&entries)
		c.resetHops = true
		return c.send(context.Background(), msgs, &redriveResult{})
	}

	sent, err := send()
	require.NoError(t, err)
	assert.Len(t, sent, len(msgs))
	require.Len(t, entries, len(msgs), "one batch")
	for i, e := range entries {
		assert.Equal(t, entryID(i), aws.ToString(e.Id))
		assert.Contains(t, aws.ToString(e.MessageAttributes[sourceflow.MetaEnvelope].StringValue), `"`+sourceflow.MetaRedrives+`":"1"`, "counted once")
	}

	entry := testing.AllocsPerRun(50, func() { redriveEntry("m0", msgs[0], false, true, time.Now()) })
	allocs := testing.AllocsPerRun(50, func() { _, _ = send() })
	t.Logf("send of %d messages: %.0f allocations, one entry %.0f", len(msgs), allocs, entry)
	assert.Less(t, allocs, 2*entry*float64(len(msgs)), "each entry is built once")
}
