// Package dynamostore is the command store, entity store and view store of
// package cqrs on Amazon DynamoDB, for services that have no relational
// database in reach (Lambda, Fargate without a VPC database). Many instances
// of a service share the tables, so whichever instance receives a command
// sees what the previous one wrote.
//
// # Use
//
// New(ctx, Config{Client}) provisions the tables as Config.Provisioning says
// (create by default; validate reports a missing or different table as a
// *topology.DriftError naming it; assume checks nothing) and returns a Store.
// Store.Commands, Store.Entities and Store.Views are the three stores for
// cqrs.ServiceConfig. Give idempotency/dynamostore the same client and run
// the idempotency middleware in transactional mode: a saga's new state (with
// the events it raised, which the saga keeps in its document) and the
// idempotency completion are then written together by one TransactWriteItems.
//
// # Tables
//
// Three tables, on-demand capacity, the prefix being Config.TablePrefix
// ("sourceflow_" by default), each keyed by the strings pk and sk:
//
//	<prefix>commands  pk entity id; sk "#sequence" (the counter, attribute last),
//	                  "s#<sequence, 19 digits>" (a command: envelope attributes,
//	                  destination, payload), "m#<message id>" (attribute sequence)
//	<prefix>entities  pk document id, sk kind (the saga's name); data, version
//	<prefix>views     pk document id, sk kind (the view's name); data, version
//
// Keying documents by id first spreads one kind's documents over
// partitions. Store.Tables lists the tables for provisioning elsewhere.
//
// # Consistency
//
// NextSequence is one atomic counter update (UpdateItem ADD, no read of the
// stream). Append writes the command and its message-id marker in one
// TransactWriteItems, each conditional on being new, so a second command
// with the sequence or the message id is ErrDuplicateCommand (cqrs) and
// nothing is written. Load reads are strongly consistent. Save is a put
// conditional on the version that was loaded (or on no item, for version 0):
// two instances never both apply a change to one version, and the loser
// gets cqrs.ErrConflict.
//
// In a transaction (Store.WithinTx, the command store's own WithinTx, or the
// idempotency store's on the same client) reads go to the table and writes
// are collected, then committed by one TransactWriteItems; a failed
// condition fails the whole transaction. NextSequence there reads the
// counter and reserves the next numbers; the commit moves the counter on
// the condition that it still holds what was read, with the commands
// appended. So the CommandBus's sequence and command commit together: an
// instance killed between the two, or a send that fails, spends no number,
// and an entity's commands are numbered 1..N without gaps, as on the SQL
// stores. When another writer moved the counter first, the command store's
// WithinTx runs the send again (at most 8 times); inside a handling
// transaction the conflict fails the handling and the message is
// redelivered.
//
// # Limits
//
// An item holds at most 400 KB: a command or document that would exceed it
// is refused before any request with ErrTooLarge naming the entity or
// document; nothing is truncated. Keys are 1 to MaxKeyLength bytes. A
// transaction holds at most 100 writes. Throttled requests
// (ProvisionedThroughputExceeded, ThrottlingException, RequestLimitExceeded)
// and transaction conflicts are retried with exponential backoff and jitter,
// after the SDK's own retries, and counted (Store.RetryStats).
package dynamostore
