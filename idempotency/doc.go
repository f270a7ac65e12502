// Package idempotency makes message handlers idempotent under at-least-once
// delivery: SQS redelivers after a visibility timeout or a shutdown, and SNS
// fan-out and producer retries send the same logical message more than once.
//
// The design follows Powertools' idempotency utility. A Store records one of
// three states per key: in progress (a lease), completed (kept for a TTL), or
// expired (treated as absent). The Middleware claims the key before the
// handler runs, completes it after success and releases it after failure:
//
//	claim ──Acquired──▶ handle ──ok──▶ complete (ack)
//	  │                    └──error──▶ release  (nack, redelivered, runs again)
//	  ├──Completed──▶ ack without running the handler (a duplicate)
//	  └──InProgress─▶ error: not acked, redelivered after the transport's delay
//
// While the handler runs, the middleware renews the lease every
// MiddlewareConfig.RenewInterval (default Lease/3, at most Lease/2) with
// Store.Extend, so a handler may run longer than Lease: Lease bounds how
// long the message of a crashed consumer waits before it is processed
// again, not how long a handler may run. Renewal stops when the message's context ends (the
// transport gave the message up, at shutdown for instance), so a hung
// handler cannot hold a message forever. A consumer that crashes while holding a claim neither
// completes, releases nor renews it; its lease expires and the redelivered
// message is claimed and processed again, once. Complete, Extend and Release
// take the token of the claim, so a consumer whose lease was taken over (a
// renewal that came too late, for example after a long pause) cannot
// complete, extend or release the new holder's claim (ErrLeaseLost). A lease
// runs out while the handler runs when the renewals fail for longer than
// Lease (the store unreachable), when renewal is disabled, or when the
// message is given up; a delivery arriving after that may run the handler
// concurrently. A renewal or the completion that finds the lease lost logs it
// once and counts it (Stats.LeasesLost): the handler's effects may then have
// happened twice. The handler runs on, its completion fails with
// ErrLeaseLost and the message is not acknowledged; its redelivery is a
// duplicate once the new holder completed. A completion that fails for
// another reason (the store unreachable after the handler succeeded) is
// tried three times, then the message is not acknowledged either: its
// claim stays in progress until its lease ends, and the delivery after that
// runs the handler again. In transactional mode the completion commits with
// the handler's writes: a failed commit rolls both back, claim included,
// and the whole handling is retried (MiddlewareConfig.TxRetry) unless it
// joined a transaction its caller commits. Such a joined handling counts in
// Stats.Completed when its own part returns, before its caller commits, and
// a caller's commit that then fails does not take the count back. A release
// that fails after a handler failure leaves the claim in progress until its
// lease ends; redeliveries meet ErrInProgress until then. Effects must
// therefore tolerate a second run.
// In transactional mode no renewal runs: with a SQL store the
// transaction's row lock holds the claim; with the DynamoDB store a handler
// outliving Lease may run twice, and only one run commits (see
// MiddlewareConfig.RenewInterval).
//
// The key is the consumer name (the router handler name, or
// MiddlewareConfig.Consumer) plus the SourceFlow message id
// (sourceflow.MetaMessageID, falling back to the Watermill UUID) and the
// message type (sourceflow.MetaType) — never a transport id such as the
// SQS MessageId, which changes when a producer retries. Message ids are
// not secret (cqrs derives them from the cause's), so two messages of two
// types that share an id are two messages: else a producer allowed to
// send one type could have another type's message with its id
// acknowledged as a duplicate and never handled. The Decrypter
// authenticates the type, so a message whose type was changed fails
// decryption and its claim is released. Key.MessageID holds the type,
// length-prefixed, and the id ("18:orders.CreateOrder:m-1"; "0::m-1",
// an empty type, for a message without one); one longer than MaxKeyLength
// (191 bytes, sqlstore's limit) is replaced by its SHA-256, and so is a
// consumer name longer than MaxKeyLength (or beginning "sha256:"), so that every bundled
// store takes a key of any length. The MemoryStore refuses a key part
// longer than MaxKeyLength (ErrInvalidKey), as sqlstore does; dynamostore
// takes up to 1000 bytes. A payload hash is recorded with the
// claim; the same key with a different payload is a permanent error
// (ErrPayloadMismatch). Encrypted payloads are not hashed by default (see
// DefaultHash).
//
// The previous release keyed a message by its consumer and id alone. So
// that a message an instance of that release completed is not handled
// again when redelivered to this one (a rolling upgrade, a delete lost at a
// restart), a message whose claim is acquired is looked up under that key
// too until MiddlewareConfig.LegacyKeysUntil (LegacyKeysDeadline, 1 March
// 2027, by default): a live completed record there, with the same payload
// hash or none, makes it a duplicate. No key this release builds is a
// bare id, so only a record of the previous release is found there: a
// sender cannot have another's message dropped by sending its id without a
// type, and a message whose id reads as a key of this release (digits and
// ":", or "sha256:") is not looked up. The lookup writes nothing and costs
// one store read per first handling of a message until then; it
// needs a store implementing the optional Looker (MemoryStore, sqlstore
// and dynamostore do), and a store without it gets none. The other way
// round cannot be helped: an instance of the previous release does not
// find this release's records, so while both consume one queue a message
// one of them completed may be handled again by the other; stop the old
// consumers before starting the new ones to avoid it.
//
// Watermill's middleware.Deduplicator is not used: it marks a message as seen
// before the handler runs, so the redelivery of a failed attempt is dropped.
//
// A completed record is kept MiddlewareConfig.TTL, by default DefaultTTL:
// sourceflow.MaxDeliveryAge (28 days, the longest a message can wait in SQS
// and its dead-letter queue, and the Decrypter's default MaxAge) and an
// hour. A message redriven or replayed within that time is a duplicate, and
// an encrypted one replayed after it is refused by the Decrypter as too old,
// so at the defaults no replay runs the handler twice, provided the store
// keeps every record that long. The cost is storage: every store holds each
// message id completed in the last 28 days (a SQL table until sqlstore's
// cleanup deletes the expired rows, a DynamoDB table until its time to live
// does), so such a table grows until it levels off at about the rate of
// completed records (one per message and consumer) times TTL: at 30 a
// second, some 73 million records at the default, reached after 28 days.
// MiddlewareConfig.TTL is the setting that changes it. A MemoryStore fills
// its MaxEntries sooner (the default 100 000 holds 28 days of about 3 500
// messages a day) and then evicts the records that expire first, whose
// replays are handled again: size MaxEntries to 28 days of messages, or use
// a shared store. A shorter TTL is safe only with a Decrypter whose MaxAge
// plus MaxClockSkew is no longer, and queues whose retention keeps no
// message longer.
//
// Stores: MemoryStore (bounded, swept, for a single instance; the default),
// sqlstore (PostgreSQL, MySQL/MariaDB, SQLite) and dynamostore (DynamoDB),
// both shared by many instances, with a transactional mode in which the
// handler's writes and the completion commit together. Every store passes
// the idempotencytest conformance suite.
//
// Place the middleware in phase 4 of the consume Stack: after tracing and
// metrics, before decryption and retry, so a duplicate is acknowledged before
// any KMS call. A handler-level retry inside it runs under one renewed claim;
// keep Lease at most the SQS visibility timeout. In transactional mode the
// handler's context is marked sourceflow.InHandlingTx, and the Retry
// middleware does not retry there: a failure rolls the transaction back, and
// the middleware runs claim, handler and completion again in a new
// transaction under MiddlewareConfig.TxRetry (sourceflow.DefaultRetryPolicy(),
// waiting on MiddlewareConfig.Clock; like the Retry middleware, not after an
// open circuit, sourceflow.ErrCircuitOpen, but after a half-open one's refusal,
// sourceflow.ErrCircuitHalfOpen; like it too, waiting at least the delay
// a failure hints, sourceflow.RetryAfter, and returning at once a failure
// whose delay would end past MaxElapsed), then leaves the message to the
// transport's redelivery. A handler that panics has its claim released before the panic
// goes on.
//
// Results of the first run are not stored: a duplicate produces no messages.
// So a handler under this middleware should publish what it produces itself,
// as cqrs handlers do (a failed publish then fails the handling, which is
// run again), or through an outbox, and return no messages: Watermill's
// router publishes returned messages only after the middleware completed
// the record, and if that publish fails, the redelivery is acknowledged as
// a duplicate and the messages are lost. The middleware logs an error the
// first time a handler returns messages.
package idempotency
