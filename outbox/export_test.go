package outbox

import (
	"context"
	"database/sql"
	"sync/atomic"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow/internal/deadletter"
	"github.com/sourceflow-go/sourceflow/internal/destgrace"
)

// SetPruneInterval sets how often the forwarder prunes, so tests see it
// prune quickly. Call it before Bind.
func SetPruneInterval(t *Transport, d time.Duration) { t.cfg.PruneInterval = d }

// SetLogger sets the logger of the forwarder, so tests see what it logs.
// Call it before Bind.
func SetLogger(t *Transport, l watermill.LoggerAdapter) { t.cfg.Logger = l }

// SetLegacyTicks makes the watch of the earlier default outbox look at it
// again at each value sent on ticks instead of every minute. Call it
// before Bind.
func SetLegacyTicks(t *Transport, ticks <-chan time.Time) {
	t.legacyTicks = func() (<-chan time.Time, func()) { return ticks, func() {} }
}

// LegacyWatchDone returns a channel closed when the watch of the earlier
// default outbox ended, nil when Bind started none.
func LegacyWatchDone(t *Transport) <-chan struct{} {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.legacy == nil {
		return nil
	}
	return t.legacy.done
}

// SetLegacyLookBound bounds each look at the earlier default outbox by d
// instead of sqldb.DefaultPollBound until the test ends.
func SetLegacyLookBound(t interface{ Cleanup(func()) }, d time.Duration) {
	was := legacyLookBound
	legacyLookBound = d
	t.Cleanup(func() { legacyLookBound = was })
}

// NewHeldPass returns one pass of the retry of cfg's held rows (Bind runs
// them in a loop), relaying to cfg.Transport, whose grace clock reads now:
// each destination's relay runs until its destination has no held rows
// left or it fails once, and the pass waits for them all; it reports
// whether a failure stopped any row.
func NewHeldPass(cfg Config, now func() time.Time) func(context.Context) bool {
	cfg.setDefaults()
	rel := newRelay(cfg.Transport, cfg.Topic, nil, cfg.Logger)
	rel.grace = destgrace.NewClock(now)
	dead := deadLetterPublisher{db: cfg.DB, schema: schemaAdapter(cfg.Dialect), topic: cfg.Topic, logger: cfg.Logger, dead: &deadletter.Counts{}}
	h := newHeldRetry(cfg, defaultBackoff, rel, dead, newFailureLog(cfg.Logger, cfg.Topic, time.Minute))
	return func(ctx context.Context) bool {
		var failed atomic.Bool
		h.pause = func(context.Context, time.Duration) bool { failed.Store(true); return false }
		read := h.pass(ctx)
		h.relays.wait()
		return read || failed.Load()
	}
}

// HeldRelaysAtOnce is the most destinations an instance relays the held
// rows of at the same moment.
const HeldRelaysAtOnce = heldRelaysAtOnce

// HeldDestinations returns, read in tx, the destinations a pass of the
// retry finds with held rows.
func HeldDestinations(ctx context.Context, tx *sql.Tx, cfg Config) ([]string, error) {
	d, _, err := newHeldTable(cfg.Dialect, cfg.Topic).destinations(ctx, wsql.TxFromStdSQL(tx), "")
	return d, err
}

// HoldRow holds msg for destination in cfg's held table in tx, as the
// forwarder does in its poll's transaction.
func HoldRow(ctx context.Context, tx *sql.Tx, cfg Config, destination string, msg *message.Message) error {
	return newHeldTable(cfg.Dialect, cfg.Topic).hold(ctx, wsql.TxFromStdSQL(tx), destination, msg)
}

// NewPollHolds returns what the forwarder asks, in the poll tx, of each
// row's destination: whether it has held rows.
func NewPollHolds(cfg Config, tx *sql.Tx) func(ctx context.Context, destination string) (bool, error) {
	h, poll := &holder{table: newHeldTable(cfg.Dialect, cfg.Topic)}, wsql.TxFromStdSQL(tx)
	return func(ctx context.Context, destination string) (bool, error) { return h.holds(ctx, poll, destination) }
}

// LockHeld takes, on conn's session, the lock a relay of destination's
// held rows takes, as another instance's relay (or a session the server
// has not yet found dead) holds it; release ends it.
func LockHeld(ctx context.Context, conn *sql.Conn, cfg Config, destination string) (release func(), err error) {
	return lockDestination(ctx, conn, cfg.Dialect, cfg.Topic, destination)
}

// SetHeldDestinationsBound makes each pass of the held rows read at most n
// destinations until the test ends.
func SetHeldDestinationsBound(t interface{ Cleanup(func()) }, n int) {
	was := heldDestinationsBound
	heldDestinationsBound = n
	t.Cleanup(func() { heldDestinationsBound = was })
}

// SetAttemptBound bounds each attempt to publish a row by bound, and waits
// grace more for a publish that does not heed its context's end, until the
// test ends. Call it before Bind or NewHeldPass.
func SetAttemptBound(t interface{ Cleanup(func()) }, bound, grace time.Duration) {
	wasBound, wasGrace := attemptBound, heedGrace
	attemptBound, heedGrace = bound, grace
	t.Cleanup(func() { attemptBound, heedGrace = wasBound, wasGrace })
}
