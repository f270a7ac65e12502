package cqrs

import (
	"cmp"

	"github.com/sourceflow-go/sourceflow/internal/fieldcheck"
)

// DefaultMemoryCommands is the number of commands a MemoryCommandStore
// keeps, of all entities together, when MemoryCommandStoreConfig.MaxCommands
// is unset.
const DefaultMemoryCommands = 1024

// MemoryCommandStoreConfig configures a MemoryCommandStore.
type MemoryCommandStoreConfig struct {
	// MaxCommands bounds the commands the store keeps, of all entities
	// together: storing one more evicts the oldest stored. An evicted
	// command is no longer found by Find (a send again with its idempotency
	// key, or by a redelivered handler, stores and publishes it again under
	// a new sequence number, with the same message id) and the Load of its
	// entity fails with ErrCommandsEvicted, so Replay refuses the entity
	// instead of rebuilding it from part of its history. Append refuses a
	// duplicate message id or sequence among the kept commands only.
	// Sequence numbers are kept apart from the commands and never reused
	// by NextSequence: the store keeps one counter per entity it was asked
	// for (some tens of bytes each, not bounded), so a service sending
	// each command to a new entity still grows, more slowly; use a
	// durable store (cqrs/sqlstore, cqrs/dynamostore) in production.
	// Default DefaultMemoryCommands.
	MaxCommands int
}

func (c *MemoryCommandStoreConfig) setDefaults() {
	c.MaxCommands = cmp.Or(c.MaxCommands, DefaultMemoryCommands)
}

// Validate reports every invalid field.
func (c MemoryCommandStoreConfig) Validate() error {
	return fieldcheck.NotNegative("cqrs: MemoryCommandStoreConfig.MaxCommands", c.MaxCommands)
}
