package metrics

import (
	"context"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
)

// recordCriticalTime records, as NameCriticalTime with the attributes opt,
// the time from msg's sending (sourceflow.MetaOccurredAt) to now, the start
// of its handling (ageOf). It records nothing for a message without a
// sending time, with one that does not parse as RFC 3339, with Go's zero
// time or with one more than maxClockSkew after now.
func (m *Metrics) recordCriticalTime(ctx context.Context, msg *message.Message, now time.Time, opt options) {
	if lag, ok := ageOf(msg.Metadata.Get(sourceflow.MetaOccurredAt), now); ok {
		m.consume.criticalTime.Record(ctx, lag.Seconds(), opt.record...)
	}
}

// maxClockSkew is how far ahead of now a sending time may be and still
// count as sent just now: a sender's clock running fast, as the
// encryption package's DefaultMaxClockSkew allows for.
const maxClockSkew = 5 * time.Minute

// ageOf returns the time from at, a sourceflow.MetaOccurredAt value, to
// now: zero when at is after now by up to maxClockSkew (a sender's clock
// ahead; skipping those would drop the quickly handled messages and keep
// the slow ones), and false when at is empty, not RFC 3339, Go's zero
// time (a time never set, not a sending time) or further ahead.
func ageOf(at string, now time.Time) (time.Duration, bool) {
	if at == "" {
		return 0, false
	}
	sent, err := time.Parse(time.RFC3339Nano, at)
	if err != nil || sent.IsZero() {
		return 0, false
	}
	age := now.Sub(sent)
	if age < 0 {
		return 0, age >= -maxClockSkew
	}
	return age, true
}

// criticalTimeBuckets returns the histogram bounds of NameCriticalTime, in
// seconds: those of durationBuckets, then up to a day, since a consumer
// can fall behind by hours.
func criticalTimeBuckets() []float64 {
	return append(durationBuckets(), 30, 60, 300, 900, 3600, 4*3600, 24*3600)
}
