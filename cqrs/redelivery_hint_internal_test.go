package cqrs

import (
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow"
)

// A retry hint a message arrives with from its Pub/Sub (a sender's
// sf_retry_after in gochannel or sqlbus metadata) is not on the copy handed
// to the consumer (freshCopy), so a failure without a hint of its own keeps
// the transport's pause; a hint that is not a positive duration is ignored
// and a huge one capped.
func TestPauseAfterReadsOnlyThisDeliverysHint(t *testing.T) {
	r := redelivery{delay: 100 * time.Millisecond, backoff: true}
	orig := message.NewMessage("m-1", nil)
	orig.Metadata.Set(sourceflow.MetaRetryAfter, "5m0s")
	assert.Equal(t, 100*time.Millisecond, r.pauseAfter(freshCopy(orig), 1), "the sender's hint is dropped")
	for hint, want := range map[string]time.Duration{
		"-5s": 200 * time.Millisecond, "0s": 200 * time.Millisecond, "1e9h": 200 * time.Millisecond,
		"9999999999h": 200 * time.Millisecond, "2562047h47m16.854775807s": maxHintedPause, "3s": 3 * time.Second,
	} {
		m := message.NewMessage("m-1", nil)
		m.Metadata.Set(sourceflow.MetaRetryAfter, hint)
		assert.Equal(t, want, r.pauseAfter(m, 2), "hint %q", hint)
	}
}

// A transport's cap on hinted pauses (ChannelConfig.MaxRedeliveryDelay)
// shortens a long hint and leaves a shorter one alone.
func TestPauseAfterCapsAHintAtTheTransportsMaximum(t *testing.T) {
	r := redelivery{delay: 10 * time.Millisecond, maxHinted: 20 * time.Millisecond}
	for hint, want := range map[string]time.Duration{"1m0s": 20 * time.Millisecond, "5ms": 5 * time.Millisecond} {
		m := message.NewMessage("m-1", nil)
		m.Metadata.Set(sourceflow.MetaRetryAfter, hint)
		assert.Equal(t, want, r.pauseAfter(m, 1), "hint %q", hint)
	}
}
