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
// *topology.DriftError naming it; assume reads each table's key schema
// only, and fails on a missing table or one whose keys are not the stores')
// and returns a Store.
// Store.Commands, Store.Entities and Store.Views are the three stores for
// cqrs.ServiceConfig. Give idempotency/dynamostore the same client, run
// the idempotency middleware in transactional mode, and put
// NewOutbox(ctx, store, OutboxConfig{Transport: t, Name: service}) in front of
// the service's transport t: a saga's new state, the events it raised and
// the idempotency completion, or a view's save and the completion, are then
// written together by one TransactWriteItems (see "What is written when").
//
// # Tables
//
// Three tables, four with an Outbox, on-demand capacity, the prefix being
// Config.TablePrefix ("sourceflow_" by default), each keyed by the strings
// pk and sk:
//
//	<prefix>commands  pk entity id; sk "#sequence" (the counter, attribute last),
//	                  "s#<sequence, 19 digits>" (a command: envelope attributes,
//	                  destination, payload), "m#<message id>" (attributes sequence
//	                  and token),
//	                  "n#<sequence>" (a number NextSequence handed out alone)
//	<prefix>entities  pk document id, sk kind (the saga's name); data, version
//	<prefix>views     pk document id, sk kind (the view's name); data, version
//	<prefix>outbox    (NewOutbox provisions it; OutboxTable names it)
//	                  pk "<outbox name>#<shard 0-7>" (one per transaction); sk
//	                  "<transaction's first write, unix ns, 19 digits>#<place in
//	                  the transaction>#<message id>#<destination>"; metadata,
//	                  payload, lease; a dead letter moves, with the same sk,
//	                  its failure reason and the lease of the sweep that moved
//	                  it, to pk "<outbox name>#<shard>#dead", which the sweep
//	                  does not read (see Outbox)
//
// Keying documents by id first spreads one kind's documents over
// partitions. Store.Tables lists the stores' tables and OutboxTable the
// outbox's, for provisioning elsewhere.
//
// # Retention
//
// The command items of <prefix>commands are append-only: no store and no
// command of the module deletes one (nor a document of <prefix>entities
// or <prefix>views), so the table grows by two items per command sent for
// the life of the deployment. Retention is the operator's. cqrs.Service.Replay
// rebuilds an entity from all its commands, so delete an entity's commands
// only once it will never be replayed, and all of them (its "s#" and "m#"
// items): a replay of an entity that lost only its oldest commands rebuilds
// it from part of its history, with nothing to say so. Keep its "#sequence"
// item, so its sequence numbers are not handed out again. A deleted command
// is no longer found by its message id: a send again with its idempotency
// key, or by a redelivered handler, stores and publishes it again under a
// new sequence number, so delete only commands older than the longest such
// a send may come (sourceflow.MaxDeliveryAge for a redelivery).
//
// # Consistency
//
// NextSequence never reads the stream: it reads the entity's counter and
// moves it on, conditional on it being unchanged, in one TransactWriteItems
// with a marker item naming the number's taker (or, in the CommandBus's
// transaction, with the command itself), so that a request the SDK resent
// after a lost answer finds its own marker instead of spending a second
// number. Append writes the command and its message-id marker in
// one TransactWriteItems, each conditional on being new, so a second command
// with the sequence or the message id is ErrDuplicateCommand (cqrs) and
// nothing is written. Load reads are strongly consistent. Save is an
// update conditional on the version that was loaded (or on no item, for
// version 0): two instances never both apply a change to one version, and
// the loser gets cqrs.ErrConflict. Every write carries an id of its own (a
// save's write id, a claim token, a random token in the command's
// message-id marker), so that a request the SDK sent again after a lost
// answer is recognised as applied, not reported as a conflict, while the
// same command stored by another writer (an instance handling the same
// message) is still ErrDuplicateCommand. A document keeps the write ids of the saves
// of its last 16 versions, so a resent save is recognised even when other
// saves have overwritten the document since. A transaction whose commit may
// have been applied although it failed (its answer lost, or its context
// ended during the request) reads its writes back, and a failed handling
// releases what it claimed, without the caller's cancellation but within
// 10 seconds each. Every attempt of a request is bounded too, each of the
// SDK's own attempts on its own (not the SDK's backoff between them, so a
// request throttled through them all fails throttled, however the client's
// retryer is set), since a handling's context has no deadline and the
// SDK's default HTTP client has no timeout: an endpoint that stops
// answering fails the call after 10 seconds (with a commit's read-back
// and rollback, at most 30) instead of holding its message, its
// entity and the outbox's sweep. A write cut so is not retried, as it may
// have been applied: a transaction, NextSequence and Append read it back
// and count it as applied when it was; otherwise the handling fails and
// its message is delivered again.
//
// # What is written when
//
// A handler publishes from inside its run (the events a saga raises, the
// commands a reaction sends), so whatever decides whether the run wins must
// be written before those messages leave. Put an Outbox in front of the
// service's transport and they leave only after that write:
//
//   - With the Outbox, a saga's handling runs in the handling transaction
//     (the entity store is a sourceflow.Transactor, which cqrs uses when the
//     transport is a cqrs.OutboxTransport). The saga's new state, the events
//     it raised (as items of the outbox table) and the idempotency
//     completion are written by one TransactWriteItems; a run that lost to
//     another instance fails that write whole and publishes nothing, and
//     the message is delivered again (with the transactional idempotency
//     middleware; without it the saga runs again in place, on a reload).
//     The messages are relayed to the inner transport once the write
//     committed (see Outbox).
//   - Without it, a saga's save is written at once: a conditional write of one
//     item that holds the new state together with the events the command
//     raised. A run that lost to another instance gets ErrConflict before it
//     publishes anything, and the saga runs again on a reload. A redelivery
//     after a crash finds the command applied and raises its stored events
//     again, with the same ids.
//   - The CommandBus reserves a number and appends the command in a
//     transaction of the command store's own (the store is a
//     sourceflow.Transactor): it reads the counter and commits the counter's
//     new value with the command, conditional on the counter being unchanged,
//     before the command is published. A lost race runs the send again (at
//     most 16 times in all, jittered backoff, then the send fails and is
//     not retried again by the CommandBus); a send that fails or is interrupted
//     spends no number, so an entity's commands are numbered 1..N without
//     gaps, as on the SQL stores. With the Outbox, the command's message is
//     written by the same transaction and relayed once it committed. A
//     command a handler sends therefore goes out even if the handling then
//     fails (joining the handling transaction would fail whole handlings on
//     every sequence race, and a view conflict would hold the command back
//     until the handling's redelivery succeeds); the handler's re-run sends
//     it again with the same id.
//   - A view's save joins the handling transaction (Store.WithinTx, or the
//     idempotency store's on the same client) and is committed with the
//     idempotency completion by one TransactWriteItems: a view, which keeps
//     no record of the messages it applied, never applies one twice. A
//     conflict there fails the handling, and the message is redelivered.
//
// Give every store one *dynamodb.Client: a view store, the entity store
// (with an Outbox) or the Outbox asked to write in a handling transaction
// of another client fails with a permanent error rather than write outside
// it, so every such message is dead-lettered naming the fix. The client
// stays the caller's: a Store holds nothing to release and has no Close,
// while an Outbox, which sweeps in the background, must be closed.
//
// The Outbox's sweep relays the messages the committing instance could not
// (Outbox.Sweep): it reads the outbox's eight shards at once and relays
// different destinations concurrently, 16 messages at most at once and one
// per destination (its shards take turns), in the order written within each
// shard (a transaction's messages share a shard; there is no order across
// shards), so a slow or hanging destination holds up only its own while
// fewer than 16 are; one that fails is held for the rest of the sweep. Each of its publishes gets a context that ends a third
// of RelayAfter, at most dynamo.SettleTimeout (10 s), before the claim's
// lease does (20 s after the claim by default): a publish still waiting
// then fails as a transient failure, and the message is released while
// the lease is still the instance's, so no other instance relays it
// beside it. An inner transport that ignores the context cannot be
// interrupted: the sweep gives such a publish up when its lease ends,
// leaves it running and goes on, and the instance's sweeps hold its
// destination until it returns; the lease having run out, another
// instance may relay the message meanwhile (at least once; consumers'
// idempotency absorbs the repeat). A claim DynamoDB answers after the
// publish's time is up is released unpublished.
//
// A write with the context of a handling that has ended (a goroutine the
// handler started, still running after it returned) is refused with a
// permanent error rather than collected into a transaction that will never
// commit: give such work a context of its own. A write DynamoDB refuses as
// invalid, in a transaction or written at once (a saga's save without an
// Outbox), is permanent too, so its message is dead-lettered with the
// reason rather than delivered again.
//
// # Relay telemetry
//
// OutboxConfig.RelayObservers (sourceflow.RelayObserver, as the SQL
// outbox's Config.RelayObservers) are told of each attempt of the Outbox
// to publish a message, by its relay after the commit or by a sweep, with
// the Outbox's Name, the destination and the message's metadata, and then
// of its result. metrics.Metrics.RelayObserver exports
// sourceflow.outbox.relay.relayed and sourceflow.outbox.relay.failures
// (counters, "{message}") and sourceflow.outbox.relay.age (histogram,
// seconds since the message's sourceflow.MetaOccurredAt at each attempt),
// by sourceflow.outbox.name and messaging.destination.name: a message the
// relay after the commit could not publish is tried again at each sweep,
// older each time. tracing.Tracing.RelayObserver gives each attempt a
// "relay <destination>" span between the send into the outbox and the
// consumer's span. Without observers the Outbox spends nothing on them.
//
// # Limits
//
// An item holds at most 400 KB: a command or document that would exceed it
// is refused before any request with ErrTooLarge naming the entity or
// document; nothing is truncated. A saga's document holds its state and the
// events of its last 32 commands (package cqrs), base64-encoded in JSON: at
// about 9 KB of events per command it reaches the limit, and that entity's
// commands are then dead-lettered with ErrTooLarge. Keys are valid UTF-8
// of 1 to MaxKeyLength bytes (the SDK sends strings as JSON, replacing each
// invalid byte with U+FFFD, so two other keys could name one item); an
// outbox message's id and destination share one sort key, together at most
// 999 bytes (else ErrInvalidKey). A transaction
// holds at most 100 writes (the state, the completion and each outbox
// message are one each) and 4 MB: a handling over either is refused before
// any request with a permanent error, and its message dead-lettered. A
// replay (cqrs.Service.Replay) stores the saga states and view models it
// rebuilt for the entity in one such transaction: one whose documents pass
// either limit (eleven documents near 400 KB do) fails with that error and
// stores nothing. An
// outbox message keeps 1,062 bytes of its item free for the sweep's lease,
// the reason of a dead letter (cut to 1 KiB) and its dead-letter partition
// key's suffix, so it holds at most 400 KB less that. Throttled requests
// (ProvisionedThroughputExceeded, ThrottlingException, RequestLimitExceeded),
// writes a BatchWriteItem leaves unprocessed, and transaction conflicts are
// retried with exponential backoff and jitter, after the SDK's own retries,
// and counted (Store.RetryStats). A request still throttled after every
// retry fails with an error that names its table (the tables, for a
// transaction) and the remedy: raise the table's provisioned capacity, or
// switch it to on-demand capacity.
package dynamostore
