package cqrs

import (
	"context"
	"sort"
	"sync"
)

// MemoryTypeFilter is an in-memory TypeFilterStore, safe for concurrent
// use. It is right only when every instance of each service using it runs
// in one process (tests, or PubSubTransports on an in-process Pub/Sub):
// the instances of a service in other processes do not see it.
type MemoryTypeFilter struct {
	mu    sync.Mutex
	types map[[2]string]map[string]bool // by topic and group
}

// NewMemoryTypeFilter returns an empty MemoryTypeFilter.
func NewMemoryTypeFilter() *MemoryTypeFilter {
	return &MemoryTypeFilter{types: map[[2]string]map[string]bool{}}
}

// Widen adds types to the filter of group on topic.
func (f *MemoryTypeFilter) Widen(_ context.Context, topic, group string, types []string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := [2]string{topic, group}
	if f.types[k] == nil {
		f.types[k] = map[string]bool{}
	}
	for _, typ := range types {
		f.types[k][typ] = true
	}
	return nil
}

// Types returns the filter of group on topic, sorted.
func (f *MemoryTypeFilter) Types(_ context.Context, topic, group string) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]string, 0, len(f.types[[2]string{topic, group}]))
	for typ := range f.types[[2]string{topic, group}] {
		out = append(out, typ)
	}
	sort.Strings(out)
	return out, nil
}

var _ TypeFilterStore = (*MemoryTypeFilter)(nil)
