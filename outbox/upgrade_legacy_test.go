package outbox_test

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/outbox"
)

// legacyTopic is the default Topic of the releases before TopicFor.
const legacyTopic = "sourceflow_outbox"

// earlierInstance binds, as an instance of an earlier release does, a
// Transport writing into the earlier releases' default outbox, without a
// forwarder, as that instance is between a commit and its forwarder's
// poll (or once killed).
func earlierInstance(t *testing.T, d dialect, db *sql.DB) *outbox.Transport {
	t.Helper()
	box, err := outbox.New(outbox.Config{DB: db, Dialect: d.dialect, Topic: legacyTopic, DisableForwarder: true,
		Transport: &hiccupInner{failEvery: 1 << 62, got: &receipts{first: map[string]int{}}}})
	require.NoError(t, err)
	require.NoError(t, box.Bind(context.Background(), sourceflow.Binding{Service: "billing"}))
	t.Cleanup(func() { assert.NoError(t, box.Close()) })
	return box
}

// earlierRelease commits one row into the earlier releases' default outbox
// as an instance of such a release does, and closes without forwarding it,
// as that instance does when it is killed before its forwarder's poll.
func earlierRelease(t *testing.T, d dialect, db *sql.DB, id string) {
	t.Helper()
	box := earlierInstance(t, d, db)
	commitOne(t, d, db, box, id)
	require.NoError(t, box.Close())
}

// upgraded starts a Transport whose Topic is defaulted, as a service
// upgraded by the CHANGELOG's "deploy with Topic empty" does, and returns
// it bound. Its watch of the earlier default outbox looks again at each
// value sent on ticks (every minute when ticks is nil).
func upgraded(t *testing.T, d dialect, db *sql.DB, service string, logs watermill.LoggerAdapter,
	ticks <-chan time.Time) *outbox.Transport {
	t.Helper()
	box, err := outbox.New(outbox.Config{DB: db, Dialect: d.dialect, Logger: logs, PruneInterval: 50 * time.Millisecond,
		Transport: &hiccupInner{failEvery: 1 << 62, got: &receipts{first: map[string]int{}}}})
	require.NoError(t, err)
	if ticks != nil {
		outbox.SetLegacyTicks(box, ticks)
	}
	require.NoError(t, box.Bind(context.Background(), sourceflow.Binding{Service: service}))
	t.Cleanup(func() { assert.NoError(t, box.Close()) })
	return box
}

// tick makes the watch of the earlier default outbox look again, and
// returns once that look is done: ticks is unbuffered, and the watch takes
// the second value only after the look the first one started (the look
// the second one starts may still run). A watch that takes no tick fails
// the test.
func tick(t *testing.T, ticks chan<- time.Time) {
	t.Helper()
	for range 2 {
		select {
		case ticks <- time.Now():
		case <-time.After(waitFor):
			t.Fatal("nothing watches the earlier default outbox while the Transport runs")
		}
	}
}

// A rolling upgrade starts every instance of the new release before it
// stops the last instance of the earlier one. A row that instance wrote and
// did not forward (it was killed, or stopped between a commit and its
// forwarder's poll) is forwarded by no running instance, and the upgraded
// instances, which looked at the earlier default outbox only as they
// started, never say so: the command is stranded silently until an
// instance restarts. The upgraded fleet should report the row while it
// runs, once it is older than a live earlier forwarder would have let it
// grow, and not before.
func TestUpgradeRowStrandedByTheLastEarlierInstanceIsReportedByTheRunningFleet(t *testing.T) {
	d := dialects[0] // PostgreSQL
	db := openPrivate(t, d)
	last := earlierInstance(t, d, db)
	logs := watermill.NewCaptureLogger()
	ticks := make(chan time.Time)
	upgraded(t, d, db, uniqueName("billing"), logs, ticks)
	require.Empty(t, logs.Captured()[watermill.ErrorLogLevel], "the earlier default outbox was empty at the start")

	commitOne(t, d, db, last, "written-by-the-last-earlier-instance")
	require.NoError(t, last.Close())
	tick(t, ticks)
	require.Empty(t, logs.Captured()[watermill.ErrorLogLevel], "a row just written may still be forwarded")

	backdate(t, d, db, legacyTopic)
	tick(t, ticks)
	lines := logs.Captured()[watermill.ErrorLogLevel]
	require.NotEmpty(t, lines, "the running upgraded instance reports the stranded row")
	assert.Equal(t, int64(1), lines[len(lines)-1].Fields["legacy_rows"])

	tick(t, ticks)
	assert.Greater(t, len(logs.Captured()[watermill.ErrorLogLevel]), len(lines), "it says so again while the row stays")
}

// The watch of the earlier default outbox ends once its table is gone (the
// operator dropped it after draining it), and a Transport started when it
// did not exist watches nothing.
func TestUpgradeWatchOfTheEarlierDefaultOutboxEndsWithItsTable(t *testing.T) {
	d := dialects[0] // PostgreSQL
	db := openPrivate(t, d)
	require.NoError(t, earlierInstance(t, d, db).Close())
	ticks := make(chan time.Time)
	box := upgraded(t, d, db, uniqueName("billing"), nil, ticks)
	done := outbox.LegacyWatchDone(box)
	require.NotNil(t, done, "the earlier default outbox exists: it is watched")
	tick(t, ticks)

	_, err := db.Exec(`DROP TABLE ` + d.quote("watermill_"+legacyTopic))
	require.NoError(t, err)
	select {
	case ticks <- time.Now():
	case <-done:
	}
	select {
	case <-done:
	case <-time.After(waitFor):
		t.Fatal("the watch went on after the earlier default outbox's table was dropped")
	}
	assert.Nil(t, outbox.LegacyWatchDone(upgraded(t, d, db, uniqueName("orders"), nil, ticks)),
		"no table at the start: nothing to watch")
}

// recordHandler is a slog.Handler keeping the records it is given.
type recordHandler struct {
	mu      sync.Mutex
	records []slog.Record
}

func (h *recordHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *recordHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *recordHandler) WithGroup(string) slog.Handler            { return h }

func (h *recordHandler) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.records = append(h.records, r.Clone())
	return nil
}

// errorMessages returns the messages of the records at error level.
func (h *recordHandler) errorMessages() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, r := range h.records {
		if r.Level >= slog.LevelError {
			out = append(out, r.Message)
		}
	}
	return out
}

// The warning about rows left in the earlier default outbox is the only
// sign that an upgrade stranded committed messages, and it goes through
// outbox.Config.Logger, which discards by default: an operator upgrading
// with the outbox's Logger unset, as every earlier release's examples
// did, sees nothing. cqrs's loggers now default to slog.Default() so that
// a failure reaches the program's log with no set-up; this warning should
// too.
func TestUpgradeLeftoverRowsWarningReachesTheLogWithoutAConfiguredLogger(t *testing.T) {
	d := dialects[0] // PostgreSQL
	db := openPrivate(t, d)
	earlierRelease(t, d, db, "left-by-the-earlier-release")
	backdate(t, d, db, legacyTopic)

	h := &recordHandler{}
	prev := slog.Default()
	slog.SetDefault(slog.New(h))
	t.Cleanup(func() { slog.SetDefault(prev) })
	upgraded(t, d, db, uniqueName("billing"), nil, nil)

	assert.Contains(t, h.errorMessages(), "outbox: the earlier default outbox holds rows this service's outbox does not forward")
}

// heldInner is an inner transport whose publishes wait until released,
// telling the test when the first one is held.
type heldInner struct {
	once    sync.Once
	held    chan struct{}
	release chan struct{}
}

func (*heldInner) Bind(context.Context, sourceflow.Binding) error { return nil }
func (h *heldInner) Publisher(string) (message.Publisher, error)  { return heldPublisher{h}, nil }
func (*heldInner) Subscriber(string) (message.Subscriber, error) {
	return nil, errors.New("heldInner: nothing to subscribe to")
}
func (*heldInner) Close() error { return nil }

type heldPublisher struct{ h *heldInner }

func (p heldPublisher) Publish(string, ...*message.Message) error {
	p.h.once.Do(func() { close(p.h.held) })
	<-p.h.release
	return nil
}

func (heldPublisher) Close() error { return nil }

// During a rolling upgrade the earlier release's instances still forward
// the old default outbox, so the rows an upgraded instance counts there as
// it starts are, with traffic flowing, rows in flight, not stranded ones.
// It logs them at error level all the same, and the CHANGELOG tells the
// operator who sees that line to run a draining instance per service: a
// false alarm at every rolling upgrade under load (seen on 3 of 4 upgraded
// instances of a two-service fleet). An instance of the earlier release
// forwarding the outbox as the upgraded one starts should raise no error.
func TestUpgradeRowsAnEarlierInstanceIsForwardingRaiseNoError(t *testing.T) {
	d := dialects[0] // PostgreSQL
	db := openPrivate(t, d)
	inner := &heldInner{held: make(chan struct{}), release: make(chan struct{})}
	earlier, err := outbox.New(outbox.Config{DB: db, Dialect: d.dialect, Topic: legacyTopic,
		PollInterval: 5 * time.Millisecond, Transport: inner})
	require.NoError(t, err)
	require.NoError(t, earlier.Bind(context.Background(), sourceflow.Binding{Service: "billing"}))
	t.Cleanup(func() { assert.NoError(t, earlier.Close()) })
	t.Cleanup(func() { close(inner.release) })
	commitOne(t, d, db, earlier, "in-flight-at-the-earlier-instance")
	select {
	case <-inner.held:
	case <-time.After(waitFor):
		t.Fatal("the earlier instance's forwarder never took the row")
	}

	logs := watermill.NewCaptureLogger()
	upgraded(t, d, db, uniqueName("billing"), logs, nil)

	assert.Empty(t, logs.Captured()[watermill.ErrorLogLevel],
		"the row is being forwarded by an instance of the earlier release")
}
