package metrics

import (
	"context"
	"errors"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/sourceflow-go/sourceflow"
)

// maxRelayDestinations bounds the attribute sets of the relay instruments:
// an outbox's destinations are its service's, few. Past the bound a
// destination is recorded as OtherType.
const maxRelayDestinations = 256

// relayInstruments are the instruments of the outboxes' relays.
type relayInstruments struct {
	relayed metric.Int64Counter
	failed  metric.Int64Counter
	age     metric.Float64Histogram
	sets    relaySets
}

func newRelayInstruments(m metric.Meter) (*relayInstruments, error) {
	r := &relayInstruments{}
	var errs [3]error
	r.relayed, errs[0] = m.Int64Counter(NameOutboxRelayed, metric.WithUnit("{message}"),
		metric.WithDescription("Messages an outbox's relay forwarded to their destination"))
	r.failed, errs[1] = m.Int64Counter(NameOutboxRelayFailures, metric.WithUnit("{message}"),
		metric.WithDescription("Attempts of an outbox's relay to forward a message that failed"))
	r.age, errs[2] = m.Float64Histogram(NameOutboxRelayAge, metric.WithUnit("s"),
		metric.WithDescription("Age of each message an outbox's relay tried to forward, at the attempt"),
		metric.WithExplicitBucketBoundaries(criticalTimeBuckets()...))
	return r, errors.Join(errs[:]...)
}

// RelayObserver returns the sourceflow.RelayObserver that records an
// outbox's relay: per attempt to forward a message, a NameOutboxRelayAge
// sample (the seconds since its sourceflow.MetaOccurredAt, zero for one up
// to five minutes ahead; none for a message without a valid one), then one to NameOutboxRelayed when it
// went out or to NameOutboxRelayFailures (with error.type "permanent" or
// "transient") when it did not, a publish that panicked (run through
// sourceflow.RunRelay) counted as "transient", each with
// sourceflow.outbox.name and messaging.destination.name. Give it to the outbox's Config
// (RelayObservers).
func (m *Metrics) RelayObserver() sourceflow.RelayObserver { return m.relay }

// Relay implements sourceflow.RelayObserver.
func (r *relayInstruments) Relay(ctx context.Context, rel sourceflow.Relayed) (context.Context, func(error)) {
	sets := r.sets.get(rel.Outbox, rel.Destination)
	if age, ok := ageOf(rel.Metadata[sourceflow.MetaOccurredAt], time.Now()); ok {
		r.age.Record(ctx, age.Seconds(), sets.base.record...)
	}
	return ctx, func(err error) {
		switch {
		case err == nil:
			r.relayed.Add(ctx, 1, sets.base.add...)
		case sourceflow.IsPermanent(err):
			r.failed.Add(ctx, 1, sets.permanent.add...)
		default:
			r.failed.Add(ctx, 1, sets.transient.add...)
		}
	}
}

// relayKey identifies the attribute sets of one destination of one outbox.
type relayKey struct{ outbox, dest string }

// relayAttrs are the prebuilt options of one relayKey.
type relayAttrs struct{ base, permanent, transient options }

// relaySets caches relayAttrs per relayKey, at most maxRelayDestinations.
type relaySets struct {
	mu   sync.RWMutex
	sets map[relayKey]*relayAttrs
}

func (c *relaySets) get(outbox, dest string) *relayAttrs {
	k := relayKey{outbox, dest}
	c.mu.RLock()
	s, ok := c.sets[k]
	c.mu.RUnlock()
	if ok {
		return s
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.sets[k]; ok {
		return s
	}
	if len(c.sets) >= maxRelayDestinations {
		k.dest = OtherType
		if s, ok := c.sets[k]; ok {
			return s
		}
	}
	s = newRelayAttrs(k)
	if c.sets == nil {
		c.sets = map[relayKey]*relayAttrs{}
	}
	c.sets[k] = s
	return s
}

func newRelayAttrs(k relayKey) *relayAttrs {
	common := []attribute.KeyValue{AttrOutbox.String(k.outbox), AttrDestination.String(k.dest)}
	set := func(kv ...attribute.KeyValue) options {
		o := metric.WithAttributeSet(attribute.NewSet(append(common[:len(common):len(common)], kv...)...))
		return options{add: []metric.AddOption{o}, record: []metric.RecordOption{o}}
	}
	return &relayAttrs{
		base:      set(),
		permanent: set(AttrErrorType.String("permanent")),
		transient: set(AttrErrorType.String("transient")),
	}
}
