package cqrs

import (
	"context"
	"sync"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/deadletter"
)

// channelFilters are the event type filters of a ChannelTransport's
// consumer groups: for each event destination and service name, the
// types the services of that name bound on the transport handle there,
// only ever widened. In one process every service of a name has started
// on this transport, so the filter is the union of what they handle.
type channelFilters struct {
	mu       sync.Mutex
	types    map[string]map[string]map[string]bool // by destination, service
	filtered deadletter.Counts
}

// widen adds the types b's service handles on each event destination it
// listens to.
func (f *channelFilters) widen(b sourceflow.Binding) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, l := range b.Listeners {
		if l.Kind != sourceflow.KindEvent {
			continue
		}
		if f.types == nil {
			f.types = map[string]map[string]map[string]bool{}
		}
		groups := f.types[l.Destination]
		if groups == nil {
			groups = map[string]map[string]bool{}
			f.types[l.Destination] = groups
		}
		if groups[b.Service] == nil {
			groups[b.Service] = map[string]bool{}
		}
		for _, typ := range l.Types {
			groups[b.Service][typ] = true
		}
	}
}

// filterOf returns the event type filter of destination's consumer groups.
func (t *ChannelTransport) filterOf(destination string) groupFilter {
	f := &t.filters
	return func(_ context.Context, group, typ string) (bool, error) {
		f.mu.Lock()
		handled := f.types[destination][group][typ]
		f.mu.Unlock()
		if !handled {
			filteredOut(t.cfg.Logger, &f.filtered, destination, group, typ)
		}
		return handled, nil
	}
}

// FilteredByDestination returns how many events each destination's
// subscriptions dropped since the transport was created because no
// service of their name on the transport handles their type (as an SNS
// filter policy keeps such an event out of a queue). The counts only grow
// and are safe to read concurrently. A HybridTransport or an outbox over
// the transport does not expose them; the metrics middleware counts the
// same events as sourceflow.event.filtered, by destination and consumer
// group, whatever wraps the transport.
func (t *ChannelTransport) FilteredByDestination() map[string]int64 {
	return t.filters.filtered.Snapshot()
}
