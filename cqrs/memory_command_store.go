package cqrs

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/sourceflow-go/sourceflow"
)

// MemoryCommandStore is an in-memory CommandStore, safe for concurrent use,
// for tests and single-process programs. It keeps the last
// MemoryCommandStoreConfig.MaxCommands commands of all entities together
// (DefaultMemoryCommands by default), evicting the oldest stored, and one
// sequence counter per entity it stored a command of, so its memory stays
// bounded by the number of entities, not of commands. What an evicted
// command changes is stated on MaxCommands. A program that replays
// entities, or must find old commands, uses a database store.
type MemoryCommandStore struct {
	mu       sync.Mutex
	max      int
	entities map[string]*memoryEntity
	ids      map[[2]string]int64 // (entity, message id) → sequence, of kept commands
	order    []commandKey        // kept commands, the first stored first
}

// memoryEntity is what a MemoryCommandStore holds of one entity.
type memoryEntity struct {
	next    int64           // the last sequence number reserved
	stream  []StoredCommand // kept commands in sequence order
	evicted bool            // some of its commands were evicted
}

type commandKey struct {
	entityID, messageID string
	sequence            int64
}

// NewMemoryCommandStore returns an empty MemoryCommandStore that keeps
// DefaultMemoryCommands commands.
func NewMemoryCommandStore() *MemoryCommandStore {
	s, _ := NewMemoryCommandStoreWithConfig(MemoryCommandStoreConfig{}) // the zero config is valid
	return s
}

// NewMemoryCommandStoreWithConfig returns an empty MemoryCommandStore
// configured by cfg.
func NewMemoryCommandStoreWithConfig(cfg MemoryCommandStoreConfig) (*MemoryCommandStore, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &MemoryCommandStore{max: cfg.MaxCommands, entities: map[string]*memoryEntity{}, ids: map[[2]string]int64{}}, nil
}

// entity returns the entity's record, made on first use; s.mu is held.
func (s *MemoryCommandStore) entity(entityID string) *memoryEntity {
	e := s.entities[entityID]
	if e == nil {
		e = &memoryEntity{}
		s.entities[entityID] = e
	}
	return e
}

// NextSequence reserves the entity's next sequence number in O(1). The
// counter outlives the entity's evicted commands: no number is reused.
func (s *MemoryCommandStore) NextSequence(_ context.Context, entityID string) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.entity(entityID)
	e.next++
	return e.next, nil
}

// Append stores cmd in its entity's stream, kept in sequence order, and
// evicts the oldest stored command when the store holds more than its
// bound.
func (s *MemoryCommandStore) Append(_ context.Context, cmd StoredCommand) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	env := cmd.Envelope
	if _, dup := s.ids[[2]string{env.EntityID, env.MessageID}]; dup {
		return fmt.Errorf("%w: entity %s already has message %s", ErrDuplicateCommand, quotedID(env.EntityID), sourceflow.IDText(env.MessageID))
	}
	e := s.entity(env.EntityID)
	i, found := findSequence(e.stream, env.Sequence)
	if found {
		return fmt.Errorf("%w: entity %s already has sequence %d", ErrDuplicateCommand, quotedID(env.EntityID), env.Sequence)
	}
	e.stream = slices.Insert(e.stream, i, cmd)
	s.ids[[2]string{env.EntityID, env.MessageID}] = env.Sequence
	s.order = append(s.order, commandKey{entityID: env.EntityID, messageID: env.MessageID, sequence: env.Sequence})
	for len(s.order) > s.max {
		s.evictOldest()
	}
	return nil
}

// evictOldest drops the command stored first; s.mu is held.
func (s *MemoryCommandStore) evictOldest() {
	k := s.order[0]
	s.order[0] = commandKey{} // the array outlives the slice: release the strings
	s.order = s.order[1:]
	delete(s.ids, [2]string{k.entityID, k.messageID})
	e := s.entities[k.entityID]
	e.evicted = true
	if i, found := findSequence(e.stream, k.sequence); found {
		e.stream = slices.Delete(e.stream, i, i+1)
	}
	if len(e.stream) < cap(e.stream)/4 { // give back what an entity no longer fills
		e.stream = slices.Clip(slices.Clone(e.stream))
	}
}

// Find returns the entity's command with the message id, or ErrNotFound,
// also for an evicted command.
func (s *MemoryCommandStore) Find(_ context.Context, entityID, messageID string) (StoredCommand, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	seq, ok := s.ids[[2]string{entityID, messageID}]
	if !ok {
		return StoredCommand{}, &notFoundError{what: "command", id: entityID, messageID: messageID}
	}
	stream := s.entities[entityID].stream
	i, _ := findSequence(stream, seq)
	return stream[i], nil
}

// Load returns a copy of the entity's commands in sequence order, or
// ErrCommandsEvicted when some of them were evicted.
func (s *MemoryCommandStore) Load(_ context.Context, entityID string) ([]StoredCommand, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.entities[entityID]
	if e == nil {
		return nil, nil
	}
	if e.evicted {
		return nil, fmt.Errorf("%w: entity %s lost its oldest commands (the store keeps the last %d of all entities)",
			ErrCommandsEvicted, quotedID(entityID), s.max)
	}
	return slices.Clone(e.stream), nil
}

// Len returns the number of commands the store keeps.
func (s *MemoryCommandStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.order)
}

// findSequence finds seq in a stream in sequence order.
func findSequence(stream []StoredCommand, seq int64) (int, bool) {
	return slices.BinarySearchFunc(stream, seq, func(c StoredCommand, seq int64) int {
		return cmpInt64(c.Envelope.Sequence, seq)
	})
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
