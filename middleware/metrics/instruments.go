package metrics

import (
	"errors"

	"go.opentelemetry.io/otel/metric"
)

// produceInstruments are the instruments of one produce-side kind.
type produceInstruments struct {
	sent     metric.Int64Counter
	duration metric.Float64Histogram
	failed   metric.Int64Counter
}

// consumeInstruments are the instruments of the consume side.
type consumeInstruments struct {
	received     metric.Int64Counter
	processed    metric.Int64Counter
	duration     metric.Float64Histogram
	criticalTime metric.Float64Histogram
	filtered     metric.Int64Counter
}

func newProduceInstruments(m metric.Meter, sent, duration, failed, noun string) (produceInstruments, error) {
	var p produceInstruments
	var errs [3]error
	p.sent, errs[0] = m.Int64Counter(sent, metric.WithUnit("{message}"),
		metric.WithDescription(noun+" handed to the transport"))
	p.duration, errs[1] = m.Float64Histogram(duration, metric.WithUnit("s"),
		metric.WithDescription("Duration of the Publish call that carried each of the "+noun),
		metric.WithExplicitBucketBoundaries(durationBuckets()...))
	p.failed, errs[2] = m.Int64Counter(failed, metric.WithUnit("{message}"),
		metric.WithDescription(noun+" whose Publish call failed"))
	return p, errors.Join(errs[:]...)
}

func newConsumeInstruments(m metric.Meter) (consumeInstruments, error) {
	var c consumeInstruments
	var errs [5]error
	c.received, errs[0] = m.Int64Counter(NameMessageReceived, metric.WithUnit("{message}"),
		metric.WithDescription("Messages that reached the consume pipeline"))
	c.processed, errs[1] = m.Int64Counter(NameMessageProcessed, metric.WithUnit("{message}"),
		metric.WithDescription("Messages handled, by outcome"))
	c.duration, errs[2] = m.Float64Histogram(NameMessageProcessingDuration, metric.WithUnit("s"),
		metric.WithDescription("Time the consume pipeline took per message, by outcome"),
		metric.WithExplicitBucketBoundaries(durationBuckets()...))
	c.criticalTime, errs[3] = m.Float64Histogram(NameCriticalTime, metric.WithUnit("s"),
		metric.WithDescription("Time from each message's sending to the start of its handling"),
		metric.WithExplicitBucketBoundaries(criticalTimeBuckets()...))
	c.filtered, errs[4] = m.Int64Counter(NameEventsFiltered, metric.WithUnit("{message}"),
		metric.WithDescription("Events dropped because no version of their consumer group handles their type"))
	return c, errors.Join(errs[:]...)
}
