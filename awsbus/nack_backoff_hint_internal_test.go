package awsbus

import (
	"strconv"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
)

// A sender cannot set a consumer's backoff: a retry hint
// (sourceflow.MetaRetryAfter) it sends as a message attribute, or packed in
// the envelope, is dropped on receive, so a nack of that message whose
// handler hinted nothing keeps NackBackoff.
func TestNackBackoffIgnoresTheSendersHint(t *testing.T) {
	packed, err := packEnvelope(map[string]string{envelopeUUID: "m-1", sourceflow.MetaRetryAfter: "5m0s"})
	require.NoError(t, err)
	for name, attrs := range map[string]map[string]string{
		"attribute": {sourceflow.MetaRetryAfter: "5m0s"},
		"envelope":  {sourceflow.MetaEnvelope: packed},
	} {
		msg, err := unmarshal("{}", attrs, "sqs-id")
		require.NoError(t, err, name)
		assert.Empty(t, msg.Metadata.Get(sourceflow.MetaRetryAfter), "%s: dropped on receive", name)
		sub := &subscription{cfg: SubscriberConfig{ConsumerConfig: ConsumerConfig{NackBackoff: time.Second}}}
		d := &delivery{raw: sqstypes.Message{Attributes: map[string]string{
			string(sqstypes.MessageSystemAttributeNameApproximateReceiveCount): strconv.Itoa(1),
		}}, msg: msg}
		assert.Equal(t, time.Second, sub.nackBackoff(d), "%s: NackBackoff, not the sender's 5 minutes", name)
	}
}

// A hint that is not a positive duration time.ParseDuration reads keeps the
// backoff; a huge one is capped at MaxNackBackoff.
func TestNackBackoffReadsOnlyAPositiveHint(t *testing.T) {
	sub := &subscription{cfg: SubscriberConfig{ConsumerConfig: ConsumerConfig{NackBackoff: time.Second}}}
	for hint, want := range map[string]time.Duration{
		"-5s": time.Second, "0s": time.Second, "": time.Second, "1e9h": time.Second,
		"9999999999h": time.Second, "2562047h47m16.854775807s": MaxNackBackoff, "1ns": time.Nanosecond,
	} {
		d := &delivery{raw: sqstypes.Message{Attributes: map[string]string{
			string(sqstypes.MessageSystemAttributeNameApproximateReceiveCount): "1",
		}}, msg: newHinted(hint)}
		assert.Equal(t, want, sub.nackBackoff(d), "hint %q", hint)
	}
}

func newHinted(hint string) *message.Message {
	msg := message.NewMessage("m", nil)
	msg.Metadata.Set(sourceflow.MetaRetryAfter, hint)
	return msg
}
