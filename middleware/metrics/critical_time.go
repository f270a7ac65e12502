package metrics

import (
	"context"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
)

// recordCriticalTime records, as NameCriticalTime with the attributes opt,
// the time from msg's sending (sourceflow.MetaOccurredAt) to now, the start
// of its handling. It records nothing for a message without a sending
// time, with one that does not parse as RFC 3339 or with one after now.
func (m *Metrics) recordCriticalTime(ctx context.Context, msg *message.Message, now time.Time, opt options) {
	if lag, ok := ageOf(msg.Metadata.Get(sourceflow.MetaOccurredAt), now); ok {
		m.consume.criticalTime.Record(ctx, lag.Seconds(), opt.record...)
	}
}

// ageOf returns the time from at, a sourceflow.MetaOccurredAt value, to
// now, and false when at is empty, not RFC 3339 or after now.
func ageOf(at string, now time.Time) (time.Duration, bool) {
	if at == "" {
		return 0, false
	}
	sent, err := time.Parse(time.RFC3339Nano, at)
	if err != nil {
		return 0, false
	}
	age := now.Sub(sent)
	return age, age >= 0
}

// criticalTimeBuckets returns the histogram bounds of NameCriticalTime, in
// seconds: those of durationBuckets, then up to a day, since a consumer
// can fall behind by hours.
func criticalTimeBuckets() []float64 {
	return append(durationBuckets(), 30, 60, 300, 900, 3600, 4*3600, 24*3600)
}
