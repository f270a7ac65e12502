package cqrs

import (
	"errors"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow"
)

// The retry hint markFailure records (sourceflow.MetaRetryAfter) is the
// one of the failure at hand: a message that arrives with one (set by its
// sender, or by an earlier failure of the same message, as a router-level
// retry hands it to the handler again) loses it when its handler fails
// without a hint or permanently, so the transport's own backoff applies.
func TestMarkFailureRecordsOnlyThisFailuresHint(t *testing.T) {
	declined := errors.New("card declined")
	cases := map[string]error{
		"unhinted":            declined,
		"permanent":           sourceflow.Permanent(declined),
		"hint in a permanent": sourceflow.Permanent(sourceflow.RetryAfter(declined, time.Minute)),
	}
	for name, fail := range cases {
		msg := message.NewMessage("m-1", nil)
		msg.Metadata.Set(sourceflow.MetaRetryAfter, "5m0s") // the sender's, or an earlier failure's
		_, err := failedOrigin{}.markFailure(func(*message.Message) ([]*message.Message, error) { return nil, fail })(msg)
		assert.ErrorIs(t, err, declined, name)
		assert.Empty(t, msg.Metadata.Get(sourceflow.MetaRetryAfter), "%s: no hint of this failure", name)
	}
	msg := message.NewMessage("m-2", nil)
	msg.Metadata.Set(sourceflow.MetaRetryAfter, "5m0s")
	_, _ = failedOrigin{}.markFailure(func(*message.Message) ([]*message.Message, error) {
		return nil, sourceflow.RetryAfter(declined, 2*time.Second)
	})(msg)
	assert.Equal(t, "2s", msg.Metadata.Get(sourceflow.MetaRetryAfter), "this failure's hint replaces an earlier one")
}
