package cqrs

import (
	"cmp"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
)

// maxHintedPause caps a pause a failed delivery hints
// (sourceflow.RetryAfter): the in-process redelivery holds the message, and
// its Pub/Sub's, that long; awsbus caps its nack visibility the same.
const maxHintedPause = 5 * time.Minute

// pauseAfter is the wait after copy m failed on delivery attempt: the delay
// its handler hinted (sourceflow.MetaRetryAfter, read by
// sourceflow.RetryAfterHint), at most r.maxHinted (maxHintedPause when
// zero), or else pause(attempt).
func (r redelivery) pauseAfter(m *message.Message, attempt int) time.Duration {
	if d, ok := sourceflow.RetryAfterHint(m.Metadata); ok {
		return min(d, cmp.Or(r.maxHinted, maxHintedPause))
	}
	return r.pause(attempt)
}
