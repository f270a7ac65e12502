package awsbus_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus"
)

// failWhere nacks every message of ch as cqrs does when a handler on
// host, of version, fails: reason under key, the host and the version
// beside it.
func failWhere(ch <-chan *message.Message, key, reason, host, version string) {
	for m := range ch {
		m.Metadata.Set(key, reason)
		m.Metadata.Set(sourceflow.MetaFailedHost, host)
		m.Metadata.Set(sourceflow.MetaFailedVersion, version)
		m.Nack()
	}
}

// deadMetadata is the metadata of the dead letters of w as a consumer (and
// `sourceflow dlq peek`) reads them, the packed envelope unpacked.
func deadMetadata(t *testing.T, w *wire) []map[string]string {
	t.Helper()
	var out []map[string]string
	for _, m := range w.sqs.Messages(w.ep.DLQURL) {
		assert.LessOrEqual(t, len(m.Attributes), sourceflow.AttributeBudget)
		md, _, err := awsbus.UnpackAttributes(m.Attributes, "")
		require.NoError(t, err)
		out = append(out, md)
	}
	return out
}

// A dead letter on SQS says which host and which version of the service
// failed it, next to its reason: a permanent failure's, and a failure's on
// the last receive the redrive policy allows.
func TestSubscriberDeadLetterSaysWhereItsHandlerFailed(t *testing.T) {
	for key, want := range map[string]string{
		sourceflow.MetaFailure:   "card refused",
		sourceflow.MetaLastError: "awsbus: failed on its last allowed receive (1 of 1): bank unreachable",
	} {
		w := newWire(t, "orders", 1, awsbus.SubscriberConfig{})
		require.NoError(t, w.pub.Publish("orders", command("m-1", "o-1")))
		ch, err := w.sub.Subscribe(context.Background(), "orders")
		require.NoError(t, err)
		reason := want
		if key == sourceflow.MetaLastError {
			reason = "bank unreachable"
		}
		go failWhere(ch, key, reason, "web-7", "v1.4.2")

		require.Eventually(t, func() bool { return len(w.sqs.Messages(w.ep.DLQURL)) == 1 }, waitFor, tick)
		md := deadMetadata(t, w)[0]
		assert.Equal(t, want, md[sourceflow.MetaFailure], key)
		assert.Equal(t, "web-7", md[sourceflow.MetaFailedHost], key)
		assert.Equal(t, "v1.4.2", md[sourceflow.MetaFailedVersion], key)
		assert.Equal(t, "m-1", md[sourceflow.MetaMessageID], key)
	}
}

// A message whose attributes fill SQS's budget keeps its reason in its
// dead letter, and the failing host and version too, inside its packed
// envelope: the copy stays within the budget, else SNS and SQS would drop
// or refuse it.
func TestSubscriberDeadLetterOfAFullMessageKeepsItsReasonAndOrigin(t *testing.T) {
	w := newWire(t, "orders", 5, awsbus.SubscriberConfig{})
	sent := command("m-1", "o-1")
	for i := 0; i < sourceflow.AttributeBudget-2; i++ { // beside sf_type and sf_env
		sent.Metadata.Set(fmt.Sprintf("header_%d", i), "v")
	}
	require.NoError(t, w.pub.Publish("orders", sent))
	ch, err := w.sub.Subscribe(context.Background(), "orders")
	require.NoError(t, err)
	go failWhere(ch, sourceflow.MetaFailure, "card refused", "web-7", "v1.4.2")

	require.Eventually(t, func() bool { return len(w.sqs.Messages(w.ep.DLQURL)) == 1 }, waitFor, tick)
	md := deadMetadata(t, w)[0]
	assert.Equal(t, "card refused", md[sourceflow.MetaFailure])
	assert.Equal(t, "web-7", md[sourceflow.MetaFailedHost])
	assert.Equal(t, "v1.4.2", md[sourceflow.MetaFailedVersion])
	for i := 0; i < sourceflow.AttributeBudget-2; i++ {
		assert.Equal(t, "v", md[fmt.Sprintf("header_%d", i)])
	}
}
