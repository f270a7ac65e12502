package cqrs

import (
	"context"
	"fmt"
	"slices"
	"sync"
)

// MemoryCommandStore is an in-memory CommandStore, safe for concurrent use.
type MemoryCommandStore struct {
	mu      sync.Mutex
	next    map[string]int64
	streams map[string][]StoredCommand
}

// NewMemoryCommandStore returns an empty MemoryCommandStore.
func NewMemoryCommandStore() *MemoryCommandStore {
	return &MemoryCommandStore{next: map[string]int64{}, streams: map[string][]StoredCommand{}}
}

// NextSequence reserves the entity's next sequence number in O(1).
func (s *MemoryCommandStore) NextSequence(_ context.Context, entityID string) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next[entityID]++
	return s.next[entityID], nil
}

// Append stores cmd in its entity's stream, kept in sequence order.
func (s *MemoryCommandStore) Append(_ context.Context, cmd StoredCommand) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	stream := s.streams[cmd.Envelope.EntityID]
	i, found := slices.BinarySearchFunc(stream, cmd.Envelope.Sequence, func(c StoredCommand, seq int64) int {
		return cmpInt64(c.Envelope.Sequence, seq)
	})
	if found {
		return fmt.Errorf("cqrs: entity %q already has a command with sequence %d",
			cmd.Envelope.EntityID, cmd.Envelope.Sequence)
	}
	s.streams[cmd.Envelope.EntityID] = slices.Insert(stream, i, cmd)
	return nil
}

// Load returns a copy of the entity's commands in sequence order.
func (s *MemoryCommandStore) Load(_ context.Context, entityID string) ([]StoredCommand, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.streams[entityID]), nil
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// MemoryStore is an in-memory EntityStore and ViewStore, safe for concurrent
// use. It keeps copies, so callers may reuse their buffers.
type MemoryStore struct {
	mu   sync.RWMutex
	docs map[[2]string][]byte
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore { return &MemoryStore{docs: map[[2]string][]byte{}} }

// Load returns a copy of the document stored under (kind, id), or ErrNotFound.
func (s *MemoryStore) Load(_ context.Context, kind, id string) ([]byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	doc, ok := s.docs[[2]string{kind, id}]
	if !ok {
		return nil, fmt.Errorf("%w: %s %q", ErrNotFound, kind, id)
	}
	return slices.Clone(doc), nil
}

// Save stores a copy of doc under (kind, id).
func (s *MemoryStore) Save(_ context.Context, kind, id string, doc []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.docs[[2]string{kind, id}] = slices.Clone(doc)
	return nil
}

// Len returns the number of stored documents.
func (s *MemoryStore) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.docs)
}

var (
	_ CommandStore = (*MemoryCommandStore)(nil)
	_ EntityStore  = (*MemoryStore)(nil)
	_ ViewStore    = (*MemoryStore)(nil)
)

// snapshot returns a copy of every stored document.
func (s *MemoryStore) snapshot() map[[2]string][]byte {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make(map[[2]string][]byte, len(s.docs))
	for k, v := range s.docs {
		out[k] = slices.Clone(v)
	}
	return out
}
