package awsbus_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus"
)

// A message without a message id (sent by another producer, or by hand)
// takes its SQS MessageId as its UUID, so a reason naming the UUID names an
// id the log has; the "Message dead-lettered" line names that id and the
// SQS MessageId of the copy in the dead-letter queue, which is the id
// `sourceflow dlq peek` shows for it. Whether it is handed out (no
// attributes, no sf_type) or refused as malformed (sf_env not JSON).
func TestSubscriberDeadLetterLogNamesTheDeadLetterQueueCopy(t *testing.T) {
	text := func(s string) types.MessageAttributeValue {
		return types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(s)}
	}
	for _, tt := range []struct {
		name      string
		attrs     map[string]types.MessageAttributeValue
		malformed bool
	}{
		{"no attributes", nil, false},
		{"no sf_type", map[string]types.MessageAttributeValue{sourceflow.MetaEntityID: text("e-1")}, false},
		{"sf_env not JSON", map[string]types.MessageAttributeValue{sourceflow.MetaEnvelope: text("not json")}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			logs := watermill.NewCaptureLogger()
			w := newWire(t, "orders", 5, awsbus.SubscriberConfig{Logger: logs})
			sent, err := w.sqs.SendMessage(context.Background(), &sqs.SendMessageInput{
				QueueUrl: aws.String(w.ep.QueueURL), MessageBody: aws.String(`{"id":"o-1"}`), MessageAttributes: tt.attrs,
			})
			require.NoError(t, err)
			ch, err := w.sub.Subscribe(context.Background(), "orders")
			require.NoError(t, err)
			go func() {
				for m := range ch { // as cqrs reports a message it cannot decode
					m.Metadata.Set(sourceflow.MetaFailure, "message "+m.UUID+": missing "+sourceflow.MetaType)
					m.Nack()
				}
			}()

			line := deadLetteredLine(t, logs)
			dead := w.sqs.Messages(w.ep.DLQURL)
			require.Len(t, dead, 1)
			id := aws.ToString(sent.MessageId)
			assert.Equal(t, id, line.Fields["message_id"])
			assert.Equal(t, id, line.Fields["sqs_message_id"])
			assert.NotContains(t, line.Fields, "uuid", "the id is logged once, as message_id")
			assert.Equal(t, dead[0].ID, line.Fields["dlq_message_id"], "the copy's SQS MessageId")
			assert.NotEqual(t, id, dead[0].ID)
			reason := dead[0].Attributes[sourceflow.MetaFailure]
			if tt.malformed {
				assert.Contains(t, reason, "malformed", "never handed out")
				return
			}
			assert.Equal(t, "message "+id+": missing sf_type", reason, "the reason names the id the log has")
		})
	}
}

// deadLetteredLine waits for the one "Message dead-lettered" line of logs.
func deadLetteredLine(t *testing.T, logs *watermill.CaptureLoggerAdapter) watermill.CapturedMessage {
	t.Helper()
	var lines []watermill.CapturedMessage
	require.Eventually(t, func() bool {
		lines = lines[:0]
		for _, m := range logs.Captured()[watermill.ErrorLogLevel] {
			if m.Msg == "Message dead-lettered" {
				lines = append(lines, m)
			}
		}
		return len(lines) > 0
	}, waitFor, tick)
	require.Len(t, lines, 1)
	return lines[0]
}

// The "Message dead-lettered" line carries the reason as its error (not
// a nil one) and the message's correlation id, so one flow's dead letters
// are found in the logs by the id its other lines carry; an oversize or
// unprintable id a sender chose is left out.
func TestSubscriberDeadLetterLogCarriesTheReasonAndTheCorrelationID(t *testing.T) {
	for corr, want := range map[string]any{
		"flow-7":                 "flow-7",
		strings.Repeat("c", 300): nil,
		"flow\nlevel=INFO":       nil,
	} {
		line := deadLetteredWithCorrelation(t, corr)
		require.Error(t, line.Err)
		assert.Equal(t, "refused by its handler", line.Err.Error())
		assert.Equal(t, want, line.Fields["correlation_id"], "%.20q", corr)
	}
}

// The "Message dead-lettered" line always names the message's id (its UUID
// when it carries no sf_id), which its sender chose, as sourceflow.IDText
// shows it: an oversize one cut, one with characters a terminal or a log
// line acts on escaped.
func TestSubscriberDeadLetterLogBoundsTheSendersUUID(t *testing.T) {
	for uuid, want := range map[string]string{
		"m-1":                        "m-1",
		strings.Repeat("u", 100_000): strings.Repeat("u", 256) + "…(100000 bytes)",
		"m-1\nlevel=INFO msg=forged": `m-1\nlevel=INFO msg=forged`,
		"m-1\x1b]0;owned\a":          `m-1\x1b]0;owned\a`,
	} {
		env, err := json.Marshal(map[string]string{"uuid": uuid})
		require.NoError(t, err)

		line := deadLetteredWith(t, sourceflow.MetaEnvelope, string(env))

		assert.Equal(t, want, line.Fields["message_id"], "%.20q", uuid)
	}
}

// deadLetteredWithCorrelation sends a message carrying the correlation id
// corr, nacks it with a reason and returns its "Message dead-lettered" line.
func deadLetteredWithCorrelation(t *testing.T, corr string) watermill.CapturedMessage {
	t.Helper()
	return deadLetteredWith(t, sourceflow.MetaCorrelationID, corr)
}

// deadLetteredWith sends a message carrying the attribute key set to value,
// nacks it with a reason and returns its "Message dead-lettered" line.
func deadLetteredWith(t *testing.T, key, value string) watermill.CapturedMessage {
	t.Helper()
	logs := watermill.NewCaptureLogger()
	w := newWire(t, "orders", 5, awsbus.SubscriberConfig{Logger: logs})
	text := func(s string) types.MessageAttributeValue {
		return types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(s)}
	}
	_, err := w.sqs.SendMessage(context.Background(), &sqs.SendMessageInput{
		QueueUrl: aws.String(w.ep.QueueURL), MessageBody: aws.String(`{"id":"o-1"}`),
		MessageAttributes: map[string]types.MessageAttributeValue{key: text(value)},
	})
	require.NoError(t, err)
	ch, err := w.sub.Subscribe(context.Background(), "orders")
	require.NoError(t, err)
	go func() {
		for m := range ch {
			m.Metadata.Set(sourceflow.MetaFailure, "refused by its handler")
			m.Nack()
		}
	}()
	return deadLetteredLine(t, logs)
}

// A reason the handler recorded at any length is logged as the dead-letter
// queue's copy carries it, at most 1024 bytes keeping its beginning and its
// end, as the line's error and its reason field alike, so a handler that
// puts a whole document in its reason cannot flood the error log with it.
func TestSubscriberDeadLetterLogBoundsTheReason(t *testing.T) {
	logs := watermill.NewCaptureLogger()
	w := newWire(t, "orders", 5, awsbus.SubscriberConfig{Logger: logs})
	_, err := w.sqs.SendMessage(context.Background(), &sqs.SendMessageInput{
		QueueUrl: aws.String(w.ep.QueueURL), MessageBody: aws.String(`{"id":"o-1"}`),
	})
	require.NoError(t, err)
	ch, err := w.sub.Subscribe(context.Background(), "orders")
	require.NoError(t, err)
	long := "refused: " + strings.Repeat("x", 8<<10) + ": the cause"
	go func() {
		for m := range ch {
			m.Metadata.Set(sourceflow.MetaFailure, long)
			m.Nack()
		}
	}()

	line := deadLetteredLine(t, logs)
	require.Error(t, line.Err)
	logged := line.Err.Error()
	assert.LessOrEqual(t, len(logged), 1024, "the error is bounded")
	assert.True(t, strings.HasPrefix(logged, "refused: xxx"), "the error keeps the reason's start")
	assert.True(t, strings.HasSuffix(logged, "xxx: the cause"), "the error keeps the reason's end")
	assert.True(t, logged == line.Fields["reason"], "the reason field is the error")
	dead := w.sqs.Messages(w.ep.DLQURL)
	require.Len(t, dead, 1)
	assert.True(t, logged == dead[0].Attributes[sourceflow.MetaFailure], "logged as the copy carries it")
}
