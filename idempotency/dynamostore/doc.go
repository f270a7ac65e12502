// Package dynamostore is an idempotency.Store on Amazon DynamoDB, as
// Powertools' idempotency utility keeps its records: one item per consumer
// and message id, in progress with a lease or completed with a TTL, and
// expired items deleted by DynamoDB's time to live.
//
// # Use
//
// New(ctx, Config{Client}) provisions the table as Config.Provisioning says
// (create by default: on-demand capacity, time to live on expires_at; in
// every mode New fails on a table whose key schema is not the store's) and
// returns a Store to give idempotency.NewMiddleware. With
// MiddlewareConfig.Transactional and the state stores of cqrs/dynamostore
// on the same client, a view's save and the completion are written by one
// TransactWriteItems (a saga's save is written before its publishes; see
// cqrs/dynamostore).
//
// # Records
//
// The table "sourceflow_idempotency" (Config.Table) has the partition key id
// = "<len(consumer)>:<consumer>/<message id>" (the length makes ids of
// different keys differ), and the attributes status (in_progress or
// completed), token, payload_hash, expires_ms (Unix milliseconds, what the
// conditions compare) and expires_at (Unix seconds, DynamoDB's TTL).
//
//   - Claim is one put conditional on no live record; a refused claim reads
//     the record in its way from the failed condition (ALL_OLD), so a
//     duplicate costs one request. A put DynamoDB refuses as invalid
//     (ValidationException: a payload hash over 400 KB, a table whose key
//     schema was changed after New checked it) is a
//     permanent error with DynamoDB's reason, so the message is
//     dead-lettered rather than delivered again; a key over DynamoDB's
//     limit is refused before any request (idempotency.ErrInvalidKey), and
//     throttling is retried (a claim still throttled after every retry
//     fails naming the table and its remedy: more provisioned capacity,
//     or on-demand capacity). An endpoint that stops answering fails the
//     call after 10 seconds; a claim cut so may have been applied, and
//     the message delivered again finds it in progress until its lease
//     lapses, so the handler does not run twice at once.
//   - Complete, Extend and Release are conditional on the caller's token
//     holding the in-progress claim; otherwise they return
//     idempotency.ErrLeaseLost.
//
// Close makes the store refuse every later call (Claim, Complete, Extend,
// Release, Lookup, WithinTx) with idempotency.ErrClosed, as the SQL and
// memory stores' do; a call already running finishes, and the release of
// a claim taken in a handling transaction that does not commit is still
// sent. It leaves the DynamoDB client, which is the caller's, untouched.
// Close it after the router that handles through it has stopped, as a
// handling whose completion fails is not acknowledged.
//
// Expiry is decided by the instances' clocks (Config.Clock), not the
// database's: keep the clocks of a service's instances in sync (NTP) to
// well within a lease. DynamoDB deletes expired items up to days late; a
// record past expires_ms counts as absent whether or not it was deleted.
//
// # Transactions
//
// In WithinTx, Claim writes at once and registers its release for the case
// that the transaction does not commit (as a SQL rollback would undo it);
// Complete is collected and committed with the view saves of the handling,
// on the condition that the token still holds the claim: a holder whose
// lease ran out and was taken over commits nothing (idempotency.ErrLeaseLost).
// Extend and Release write at once. The transactional mode of the
// middleware does not renew leases, so a handler that runs longer than the
// lease may run twice; only one of the two commits.
//
// The release after a failed transaction is best effort. When DynamoDB
// refuses it, the transaction's error includes idempotency.ErrClaimHeld, and
// the middleware releases the claim again before it runs the handling anew
// (MiddlewareConfig.TxRetry), each refusal counting as a failed attempt, and
// once more when no run follows. A claim still held then stays until its
// lease ends, and a delivery after the lease handles the message.
package dynamostore
