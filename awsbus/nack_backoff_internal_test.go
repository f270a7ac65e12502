package awsbus

import (
	"strconv"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow"
)

func TestNackBackoffDoublesPerReceiveUpToTheCap(t *testing.T) {
	received := func(n int) *delivery {
		attrs := map[string]string{}
		if n > 0 {
			attrs[string(sqstypes.MessageSystemAttributeNameApproximateReceiveCount)] = strconv.Itoa(n)
		}
		return &delivery{raw: sqstypes.Message{Attributes: attrs}}
	}
	sub := &subscription{cfg: SubscriberConfig{ConsumerConfig: ConsumerConfig{NackBackoff: time.Second}}}
	for n, want := range map[int]time.Duration{
		0: time.Second, 1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 7: 64 * time.Second,
		9: 256 * time.Second, 10: MaxNackBackoff, 1000: MaxNackBackoff,
	} {
		assert.Equal(t, want, sub.nackBackoff(received(n)), "receive %d", n)
	}
	var total time.Duration
	for n := 1; n < 8; n++ { // the nacks before the 8th, last allowed receive
		total += sub.nackBackoff(received(n))
	}
	assert.Equal(t, 127*time.Second, total, "a failing message is tried over about two minutes by default")

	sub.cfg.NackBackoff = 10 * time.Minute
	assert.Equal(t, 10*time.Minute, sub.nackBackoff(received(5)), "a backoff above the cap is kept, not doubled")
	sub.cfg.NackBackoff = -time.Second // a negative NackBackoff, kept by setDefaults
	assert.Zero(t, sub.nackBackoff(received(5)), "no backoff redelivers at once")
}

// A nack whose handler hinted when to try again (sourceflow.MetaRetryAfter)
// is made visible again after that delay, at most MaxNackBackoff, whatever
// the receive; an unreadable hint keeps the backoff.
func TestNackBackoffTakesTheHandlersHint(t *testing.T) {
	hinted := func(n int, hint string) *delivery {
		attrs := map[string]string{string(sqstypes.MessageSystemAttributeNameApproximateReceiveCount): strconv.Itoa(n)}
		msg := message.NewMessage("m", nil)
		msg.Metadata.Set(sourceflow.MetaRetryAfter, hint)
		return &delivery{raw: sqstypes.Message{Attributes: attrs}, msg: msg}
	}
	sub := &subscription{cfg: SubscriberConfig{ConsumerConfig: ConsumerConfig{NackBackoff: time.Second}}}
	assert.Equal(t, 225*time.Second, sub.nackBackoff(hinted(1, "3m45s")), "the hint, not 1s")
	assert.Equal(t, 3*time.Second, sub.nackBackoff(hinted(7, "3s")), "the hint, not 64s")
	assert.Equal(t, MaxNackBackoff, sub.nackBackoff(hinted(1, "1h")), "at most MaxNackBackoff")
	assert.Equal(t, 4*time.Second, sub.nackBackoff(hinted(3, "soon")), "no readable hint: the backoff")
	sub.cfg.NackBackoff = -time.Second
	assert.Equal(t, 2*time.Second, sub.nackBackoff(hinted(3, "2s")), "a hint holds without a backoff too")
}
