package cqrs

import (
	"context"
	"fmt"
	"slices"
	"sync"
)

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
