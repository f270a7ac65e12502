package idempotency

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/fieldcheck"
)

// MiddlewareConfig configures a Middleware.
type MiddlewareConfig struct {
	// Consumer names the consumer in every key. Default: the Watermill router
	// handler name (message.HandlerNameFromCtx). Set it when several handlers
	// share one logical consumer, or when the handler runs outside a router.
	Consumer string
	// Lease is how long a claim stays in progress without a renewal before
	// another delivery may re-claim it: a crashed consumer's message is
	// processed again after it. The lease is renewed while the handler runs
	// (see RenewInterval), so it bounds that wait, not the handler's run.
	// Keep it at most the transport's redelivery delay (the SQS visibility
	// timeout). Default 30 s.
	Lease time.Duration
	// RenewInterval is how often the lease is extended (to now plus Lease)
	// while the handler runs; at most half of Lease, as a renewal starts
	// RenewInterval after the previous one (or the claim) and may take as
	// long again to land. A negative value disables renewal: a handler
	// running longer than Lease then loses its claim. Transactional mode
	// never renews: with a SQL store the transaction's row lock holds the
	// claim; with the DynamoDB store, whose claim is a lease others can
	// see, a handler outliving Lease may run twice and only one run
	// commits. Default Lease/3.
	RenewInterval time.Duration
	// TTL is how long a completed record is kept; duplicates arriving later
	// are processed again. Keep it at least the queue's retention period
	// plus its dead-letter queue's (a redrive delivers a message again), and
	// with encryption or signing at least the Decrypter's MaxAge plus its
	// MaxClockSkew, so that a replayed message is a duplicate until the
	// Decrypter refuses it as too old. Default DefaultTTL (28 days and an
	// hour), which covers both at their defaults.
	//
	// Every store keeps each completed message id that long: a SQL store's
	// table holds the last 28 days of messages until sqlstore's cleanup
	// deletes the expired rows, a DynamoDB table until its time to live
	// does, and a MemoryStore reaches MaxEntries sooner, then evicts the
	// completed record that expires first (a replay of an evicted message
	// runs again). To keep a shorter TTL safely, lower the Decrypter's
	// DecrypterConfig.MaxAge with it (TTL at least MaxAge plus
	// MaxClockSkew) and the queues' retention, which bounds a redrive.
	TTL time.Duration
	// HashPayload computes the payload hash recorded with a claim; an empty
	// hash disables the payload check for that message. Default: DefaultHash.
	HashPayload func(*message.Message) string
	// Transactional runs claim, handler and completion in one transaction of
	// the store, which must implement Transactor (sqlstore does). The handler
	// reads the transaction from msg.Context() and writes through it.
	Transactional bool
	// TxRetry, in transactional mode, runs a handling that failed (not
	// permanently, nor on an open circuit: sourceflow.ErrCircuitOpen, unless
	// half-open: sourceflow.ErrCircuitHalfOpen) again
	// in a new transaction, the failed one rolled back: the Retry middleware
	// does not retry inside a handling transaction. A failure that hints a
	// delay (sourceflow.RetryAfter) runs again after at least that delay,
	// or, when the delay would end past MaxElapsed, is returned at once for
	// the transport to deliver again after it.
	// Zero fields take sourceflow.DefaultRetryPolicy()'s; MaxRetries -1 leaves
	// every retry to the transport's redelivery.
	TxRetry sourceflow.RetryPolicy
	// LegacyKeysUntil is when the lookup of the previous release's keys
	// stops. Until then, a message whose claim is acquired (its first
	// handling under this release's key, which holds its type) is looked
	// up under the key the previous release gave it, its consumer and id
	// alone; a live completed record there, which only an instance of that
	// release can have written, makes it a duplicate: its claim is
	// completed and the handler not run. This keeps a rolling upgrade, or
	// a redelivery after it, from handling a message twice. It costs one
	// store read per first handling of a message (none for an id that
	// reads as a key of this release, digits and ":" or "sha256:", whose
	// record may be another message's) until then. The lookup needs a
	// store implementing Looker (the bundled ones do); with another store
	// there is none.
	// Default LegacyKeysDeadline(); any past time turns the lookup off.
	LegacyKeysUntil time.Time
	// Clock times TxRetry: its MaxElapsed and the waits between attempts,
	// and LegacyKeysUntil. Lease renewals tick on the system clock. Default:
	// sourceflow.SystemClock(); tests inject a fake one.
	Clock sourceflow.Clock
	// ReleaseTimeout bounds the Release call after a handler failure, and in
	// transactional mode before a rerun, and the Complete call made after
	// the message context ended; both run even when the message context
	// was cancelled. Default 5 s.
	ReleaseTimeout time.Duration
	// Logger receives duplicates, store failures and, at Info level, TxRetry's
	// retries and the hinted failures it leaves to the transport. Default: no-op.
	Logger watermill.LoggerAdapter
}

func (c *MiddlewareConfig) setDefaults() {
	c.Lease = cmp.Or(c.Lease, 30*time.Second)
	c.RenewInterval = cmp.Or(c.RenewInterval, max(c.Lease/3, 1))
	c.TTL = cmp.Or(c.TTL, DefaultTTL)
	if c.HashPayload == nil {
		c.HashPayload = DefaultHash
	}
	c.ReleaseTimeout = cmp.Or(c.ReleaseTimeout, 5*time.Second)
	if c.Logger == nil {
		c.Logger = watermill.NopLogger{}
	}
	c.TxRetry = c.TxRetry.WithDefaults(sourceflow.DefaultRetryPolicy())
	if c.Clock == nil {
		c.Clock = sourceflow.SystemClock()
	}
	if c.LegacyKeysUntil.IsZero() {
		c.LegacyKeysUntil = LegacyKeysDeadline()
	}
}

// Validate reports every invalid field, as NewMiddleware does: zero fields
// stand for their defaults, so a RenewInterval is checked against the
// default Lease when Lease is zero.
func (c MiddlewareConfig) Validate() error {
	c.setDefaults()
	var errs []error
	if err := c.TxRetry.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("TxRetry: %w", err))
	}
	if !c.Transactional && c.RenewInterval > 0 && c.Lease > 0 && c.RenewInterval > c.Lease/2 { // transactional mode never renews
		errs = append(errs, fmt.Errorf("RenewInterval: %s, must be at most half of Lease (%s)", c.RenewInterval, c.Lease))
	}
	return errors.Join(append(errs,
		fieldcheck.NotNegative("Lease", c.Lease),
		fieldcheck.NotNegative("TTL", c.TTL),
		fieldcheck.NotNegative("ReleaseTimeout", c.ReleaseTimeout),
		fieldcheck.NotTypedNil("Logger", c.Logger),
		fieldcheck.NotTypedNil("Clock", c.Clock),
	)...)
}

// Stats are the middleware's counters since it was created. The metrics
// package reads them.
type Stats struct {
	// Claims counts acquired claims (handler runs).
	Claims uint64
	// Duplicates counts messages acknowledged without running the handler.
	Duplicates uint64
	// InProgress counts deliveries refused because another consumer held a lease.
	InProgress uint64
	// Completed counts handler successes recorded in the store (in
	// transactional mode, once the handling's transaction committed; a
	// handling that joins a transaction its caller commits later counts
	// when its own part returns, and a commit that fails after that is not
	// taken back).
	Completed uint64
	// Released counts claims released after a handler failure.
	Released uint64
	// PayloadMismatches counts keys reused with a different payload.
	PayloadMismatches uint64
	// Renewals counts lease extensions while handlers ran.
	Renewals uint64
	// LeasesLost counts handlings that found their lease taken over, by a
	// renewal or at the completion: a duplicate delivery may have run the
	// handler concurrently.
	LeasesLost uint64
	// StoreErrors counts failed store calls.
	StoreErrors uint64
	// TxRetries counts handlings run again in a new transaction (TxRetry).
	TxRetries uint64
}

type counters struct {
	claims, duplicates, inProgress, completed, released, mismatches atomic.Uint64
	renewals, leasesLost, storeErrors, txRetries                    atomic.Uint64
}

// Middleware makes a Watermill handler idempotent: claim → handle → complete,
// or release on failure. It is DESIGN phase 4 of the consume pipeline, after
// metrics and before decryption, so a duplicate is acknowledged before any
// decryption or handler run.
type Middleware struct {
	store  Store
	tx     Transactor
	looker Looker // the store, when it implements Looker
	cfg    MiddlewareConfig
	c      counters
	output sync.Once // warns of returned messages once
}

// NewMiddleware returns a Middleware over store.
func NewMiddleware(store Store, cfg MiddlewareConfig) (*Middleware, error) {
	cfg.setDefaults()
	var errs []error
	switch {
	case store == nil:
		errs = append(errs, errors.New("store must not be nil"))
	case fieldcheck.IsTypedNil(store):
		errs = append(errs, fieldcheck.Set("store", store))
	}
	errs = append(errs, cfg.Validate())
	tx, ok := store.(Transactor)
	if cfg.Transactional && !ok {
		errs = append(errs, fmt.Errorf("Transactional needs a store implementing Transactor, got %T", store))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("idempotency: invalid MiddlewareConfig: %w", err)
	}
	m := &Middleware{store: store, cfg: cfg}
	m.looker, _ = store.(Looker)
	if cfg.Transactional {
		m.tx = tx
	}
	return m, nil
}

// Stats returns a snapshot of the counters.
func (m *Middleware) Stats() Stats {
	return Stats{
		Claims: m.c.claims.Load(), Duplicates: m.c.duplicates.Load(),
		InProgress: m.c.inProgress.Load(), Completed: m.c.completed.Load(),
		Released: m.c.released.Load(), PayloadMismatches: m.c.mismatches.Load(),
		Renewals: m.c.renewals.Load(), LeasesLost: m.c.leasesLost.Load(),
		StoreErrors: m.c.storeErrors.Load(), TxRetries: m.c.txRetries.Load(),
	}
}

// Middleware is the message.HandlerMiddleware. Outcomes:
//   - first delivery: the handler runs; on success the key is completed, on
//     failure it is released and the handler's error returned;
//   - duplicate of a completed message: acknowledged (nil error), handler not
//     run, and marked with sourceflow.MetaDuplicate for the outer phases;
//   - another consumer holds the lease: an error wrapping ErrInProgress, so the
//     message is not acknowledged and is redelivered later;
//   - same id, different payload: a permanent error wrapping ErrPayloadMismatch;
//   - no message id: a permanent error wrapping ErrMissingMessageID;
//   - a key the store refuses (e.g. too long): a permanent error wrapping ErrInvalidKey;
//     a claim it refuses for good (DynamoDB's ValidationException): its permanent error.
func (m *Middleware) Middleware(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		key, err := m.KeyOf(msg)
		if err != nil {
			return nil, err
		}
		hash := m.cfg.HashPayload(msg)
		if m.tx == nil {
			return m.process(msg.Context(), msg, h, key, hash, nil)
		}
		var out []*message.Message
		err = m.runTx(msg, key, func(ctx context.Context, run *txRun) error {
			var herr error
			out, herr = m.process(sourceflow.ContextInHandlingTx(ctx), msg, h, key, hash, run)
			return herr
		})
		if err != nil {
			return nil, err
		}
		return out, nil
	}
}

// process claims key, looks the message up under the previous release's key
// (see previousRelease), runs h and completes the claim. In transactional
// mode it records in *run the token of the claim it acquired, whether it
// took it for h, and whether h failed.
func (m *Middleware) process(ctx context.Context, msg *message.Message, h message.HandlerFunc, key Key, hash string, run *txRun) ([]*message.Message, error) {
	res, err := m.store.Claim(ctx, key, hash, m.cfg.Lease)
	switch {
	case errors.Is(err, ErrPayloadMismatch):
		m.c.mismatches.Add(1)
		return nil, sourceflow.Permanent(err)
	case errors.Is(err, ErrInvalidKey):
		return nil, sourceflow.Permanent(err)
	case err != nil:
		m.c.storeErrors.Add(1)
		return nil, opError("claim", key, err)
	case res.Status == Completed:
		m.duplicate(msg, key)
		return nil, nil
	case res.Status == InProgress:
		m.c.inProgress.Add(1)
		return nil, fmt.Errorf("%w: %s", ErrInProgress, key)
	}
	run.acquire(res.Token)
	if dup, err := m.previousRelease(ctx, msg, key, hash, res.Token); dup || err != nil {
		return nil, err
	}
	m.c.claims.Add(1)
	run.took(res.Token)
	if ctx != msg.Context() {
		msg.SetContext(ctx)
	}
	out, lost, herr := m.runRenewed(ctx, msg, h, key, res.Token)
	if herr != nil {
		return nil, joinErrors(herr, m.release(ctx, key, res.Token))
	}
	run.handlerSucceeded()
	if err := m.complete(ctx, key, res.Token, lost); err != nil {
		return nil, err
	}
	if run == nil { // a transaction's completion counts once it commits (runTx)
		m.c.completed.Add(1)
	}
	m.warnOutput(key, out)
	return out, nil
}

// duplicate counts and logs msg, of key, as a duplicate acknowledged
// without running the handler, and marks it with sourceflow.MetaDuplicate
// for the outer phases (metrics).
func (m *Middleware) duplicate(msg *message.Message, key Key) {
	m.c.duplicates.Add(1)
	m.cfg.Logger.Debug("Duplicate message acknowledged", watermill.LogFields{"key": key.String()})
	if msg.Metadata == nil { // a message built as a literal
		msg.Metadata = message.Metadata{}
	}
	msg.Metadata.Set(sourceflow.MetaDuplicate, "true")
}

// warnOutput logs, the first time a handler returns messages, that they are
// published after the completion (ErrOutputAfterCompletion).
func (m *Middleware) warnOutput(key Key, out []*message.Message) {
	if len(out) > 0 {
		m.output.Do(func() {
			m.cfg.Logger.Error("Handler under idempotency returned messages", ErrOutputAfterCompletion,
				watermill.LogFields{"key": key.String(), "messages": len(out)})
		})
	}
}

// release drops the claim after a handler failure. In transactional mode the
// rollback drops it, so there is nothing to do; nor is there when the lease
// ran out and another delivery claimed the key (ErrLeaseLost): the claim is
// no longer this one's, and the store did its work.
func (m *Middleware) release(ctx context.Context, key Key, token string) error {
	if m.tx != nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), m.cfg.ReleaseTimeout)
	defer cancel()
	err := m.store.Release(ctx, key, token)
	if errors.Is(err, ErrLeaseLost) {
		m.cfg.Logger.Info("Idempotency claim taken over before its release", watermill.LogFields{"key": key.String()})
		return nil
	}
	if err != nil {
		m.c.storeErrors.Add(1)
		m.cfg.Logger.Error("Idempotency release failed", err, watermill.LogFields{"key": key.String()})
		return opError("release", key, err)
	}
	m.c.released.Add(1)
	return nil
}
