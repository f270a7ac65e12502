package cqrs

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/sourceflow-go/sourceflow"
)

// MemoryCommandStore is an in-memory CommandStore, safe for concurrent use.
type MemoryCommandStore struct {
	mu      sync.Mutex
	next    map[string]int64
	streams map[string][]StoredCommand
	ids     map[[2]string]int64 // (entity, message id) → sequence
}

// NewMemoryCommandStore returns an empty MemoryCommandStore.
func NewMemoryCommandStore() *MemoryCommandStore {
	return &MemoryCommandStore{next: map[string]int64{}, streams: map[string][]StoredCommand{}, ids: map[[2]string]int64{}}
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
	env := cmd.Envelope
	if _, dup := s.ids[[2]string{env.EntityID, env.MessageID}]; dup {
		return fmt.Errorf("%w: entity %s already has message %s", ErrDuplicateCommand, quotedID(env.EntityID), sourceflow.IDText(env.MessageID))
	}
	stream := s.streams[env.EntityID]
	i, found := slices.BinarySearchFunc(stream, env.Sequence, func(c StoredCommand, seq int64) int {
		return cmpInt64(c.Envelope.Sequence, seq)
	})
	if found {
		return fmt.Errorf("%w: entity %s already has sequence %d", ErrDuplicateCommand, quotedID(env.EntityID), env.Sequence)
	}
	s.streams[env.EntityID] = slices.Insert(stream, i, cmd)
	s.ids[[2]string{env.EntityID, env.MessageID}] = env.Sequence
	return nil
}

// Find returns the entity's command with the message id, or ErrNotFound.
func (s *MemoryCommandStore) Find(_ context.Context, entityID, messageID string) (StoredCommand, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	seq, ok := s.ids[[2]string{entityID, messageID}]
	if !ok {
		return StoredCommand{}, &notFoundError{what: "command", id: entityID, messageID: messageID}
	}
	stream := s.streams[entityID]
	i, _ := slices.BinarySearchFunc(stream, seq, func(c StoredCommand, seq int64) int {
		return cmpInt64(c.Envelope.Sequence, seq)
	})
	return stream[i], nil
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

// MemoryStore is an in-memory DocumentStore (EntityStore and ViewStore),
// safe for concurrent use. It keeps copies, so callers may reuse their
// buffers.
type MemoryStore struct {
	mu   sync.RWMutex
	docs map[[2]string]Document
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore { return &MemoryStore{docs: map[[2]string]Document{}} }

// Load returns a copy of the document stored under (kind, id), or ErrNotFound.
func (s *MemoryStore) Load(_ context.Context, kind, id string) (Document, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	doc, ok := s.docs[[2]string{kind, id}]
	if !ok {
		return Document{}, &notFoundError{what: kind, id: id}
	}
	return Document{Data: slices.Clone(doc.Data), Version: doc.Version}, nil
}

// Save stores a copy of data under (kind, id) as version+1, or returns
// ErrConflict when the stored version is not version.
func (s *MemoryStore) Save(_ context.Context, kind, id string, data []byte, version int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := [2]string{kind, id}
	if cur := s.docs[k].Version; cur != version {
		return fmt.Errorf("%w: %s %s is at version %d, not %d", ErrConflict, kind, quotedID(id), cur, version)
	}
	s.docs[k] = Document{Data: slices.Clone(data), Version: version + 1}
	return nil
}

// Len returns the number of stored documents.
func (s *MemoryStore) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.docs)
}

var (
	_ CommandStore  = (*MemoryCommandStore)(nil)
	_ DocumentStore = (*MemoryStore)(nil)
)

// snapshot returns a copy of every stored document.
func (s *MemoryStore) snapshot() map[[2]string]Document {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make(map[[2]string]Document, len(s.docs))
	for k, v := range s.docs {
		out[k] = Document{Data: slices.Clone(v.Data), Version: v.Version}
	}
	return out
}
