package cqrs

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/deadletter"
)

// TypeFilterReread is how long a PubSubTransport goes on using the event
// type filter it read for a destination before an event of a type the
// service does not handle makes it read the filter again (see
// PubSubConfig.TypeFilter).
const TypeFilterReread = 2 * time.Second

// pubsubFilters caches, by topic, the event type filter of the transport's
// service read from a TypeFilterStore.
type pubsubFilters struct {
	mu       sync.Mutex
	read     map[string]readFilter
	reads    uint64 // how many reads began
	filtered deadletter.Counts
	now      func() time.Time
}

// readFilter is a filter as a read that began at a time read it.
type readFilter struct {
	types map[string]bool
	at    time.Time
	seq   uint64 // the read's place in the order reads began
}

// widenFilters widens the event type filter of b's service on each event
// destination it listens to with the types it handles there.
func (t *PubSubTransport) widenFilters(ctx context.Context, b sourceflow.Binding) error {
	store := t.cfg.TypeFilter
	if store == nil {
		return nil
	}
	var errs []error
	for _, l := range b.Listeners {
		if l.Kind != sourceflow.KindEvent || len(l.Types) == 0 {
			continue
		}
		topic := t.cfg.Topic(l.Destination)
		if err := store.Widen(ctx, topic, b.Service, l.Types); err != nil {
			errs = append(errs, fmt.Errorf("cqrs: widen the event type filter of consumer group %q on %q: %w", b.Service, topic, err))
		}
	}
	return errors.Join(errs...)
}

// filterOf returns the event type filter of destination, or nil without a
// store. The filter last read is used for TypeFilterReread; an event the
// service does not handle after that reads it again, so a type a newer
// version added is seen, and so is one an operator removed
// (sqlbus.NarrowEventFilter).
func (t *PubSubTransport) filterOf(destination string) groupFilter {
	store := t.cfg.TypeFilter
	if store == nil {
		return nil
	}
	topic := t.cfg.Topic(destination)
	f := &t.filters
	return func(ctx context.Context, group, typ string) (bool, error) {
		handled, fresh := f.lookup(topic, typ)
		if !fresh {
			begun := f.begin()
			types, err := store.Types(ctx, topic, group)
			if err != nil {
				return false, err
			}
			handled = f.keep(topic, begun, types)[typ]
		}
		if !handled {
			filteredOut(t.cfg.Logger, &f.filtered, destination, group, typ)
		}
		return handled, nil
	}
}

// lookup reports whether topic's filter last read holds typ, and whether
// that read is more recent than TypeFilterReread.
func (f *pubsubFilters) lookup(topic, typ string) (handled, fresh bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.read[topic]
	return r.types[typ], !r.at.IsZero() && f.clock().Sub(r.at) < TypeFilterReread
}

// begin returns a read beginning now, its types not yet set.
func (f *pubsubFilters) begin() readFilter {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads++
	return readFilter{at: f.clock(), seq: f.reads}
}

// keep records types, read by the read r, as topic's filter and returns
// it, unless a read that began later was kept already: that one is
// returned, since a read that began first may miss a widening the later
// one saw.
func (f *pubsubFilters) keep(topic string, r readFilter, types []string) map[string]bool {
	r.types = make(map[string]bool, len(types))
	for _, typ := range types {
		r.types[typ] = true
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if kept, ok := f.read[topic]; ok && kept.seq > r.seq {
		return kept.types
	}
	if f.read == nil {
		f.read = map[string]readFilter{}
	}
	f.read[topic] = r
	return r.types
}

func (f *pubsubFilters) clock() time.Time {
	if f.now != nil {
		return f.now()
	}
	return time.Now()
}

// FilteredByDestination returns how many events the transport's
// subscriptions dropped, by destination, since it was created because
// their type is outside the service's event type filter
// (PubSubConfig.TypeFilter). The counts only grow and are safe to read
// concurrently. A HybridTransport or an outbox over the transport does
// not expose them; the metrics middleware counts the same events as
// sourceflow.event.filtered, by destination and consumer group, whatever
// wraps the transport.
func (t *PubSubTransport) FilteredByDestination() map[string]int64 {
	return t.filters.filtered.Snapshot()
}
