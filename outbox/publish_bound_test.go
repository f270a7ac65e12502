package outbox_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs/cqrstest"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
	"github.com/sourceflow-go/sourceflow/outbox"
)

// loggedError reports whether logs has an error line whose error says
// text.
func loggedError(logs *watermill.CaptureLoggerAdapter, text string) bool {
	for _, line := range logs.Captured()[watermill.ErrorLogLevel] {
		if line.Err != nil && strings.Contains(line.Err.Error(), text) {
			return true
		}
	}
	return false
}

// refusedAttempts counts the attempts to destination that ended without a
// publish, an abandoned one of it still running.
func refusedAttempts(rec *cqrstest.RelayRecorder, destination string) int {
	n := 0
	for _, a := range rec.Attempts() {
		if a.Destination == destination && a.Ended && a.Err != nil && strings.Contains(a.Err.Error(), "no new attempt until it returns") {
			n++
		}
	}
	return n
}

// A forward whose publish hangs ignoring its context (watermill-aws's SNS
// publisher while its endpoint does not answer) holds up the forwarder for
// one attempt's bound: the row is then held, with the failure logged, and
// the rows for the other destinations go out while the publish still
// hangs. The destination gets no new publish meanwhile; once the hung one
// returns its held rows go out, in order, at least once.
func TestAForwardIgnoringItsContextHoldsUpNoOtherDestination(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		db := d.open(t)
		outbox.SetAttemptBound(t, 200*time.Millisecond, 50*time.Millisecond)
		inner := newStuckTransport()
		hanging := hangingTransport{stuckTransport: inner, hang: []string{"a"}, release: make(chan struct{}), entered: newCounter()}
		release := sync.OnceFunc(func() { close(hanging.release) })
		topic := uniqueName("obh")
		d.dropOutbox(t, db, topic)
		logs, attempts := watermill.NewCaptureLogger(), &cqrstest.RelayRecorder{}
		box, err := outbox.New(outbox.Config{DB: db, Dialect: d.dialect, Transport: hanging, Topic: topic, Logger: logs,
			RelayObservers: []sourceflow.RelayObserver{attempts}})
		require.NoError(t, err)
		require.NoError(t, box.Bind(context.Background(), sourceflow.Binding{Service: "obh"}))
		t.Cleanup(func() { release(); assert.NoError(t, box.Close()) })
		destinations := []string{"a", "b", "a", "b"}
		ids := sendEach(t, db, publishers(t, box, destinations), destinations)

		require.EventuallyWithT(t, func(c *assert.CollectT) {
			assert.Equal(c, []string{ids[1], ids[3]}, inner.received("b"))
		}, waitFor, 10*time.Millisecond, "b's rows go out while the publish to a hangs")
		require.Eventually(t, func() bool { return refusedAttempts(attempts, "a") >= 2 },
			waitFor, 10*time.Millisecond, "a's held rows are tried again, without a new publish")
		assert.True(t, loggedError(logs, "did not heed its context's end"), "the abandoned attempt is logged")
		assert.Equal(t, 1, hanging.entered.count("a"), "one publish to a, the abandoned one")
		assert.Empty(t, inner.received("a"))

		release()
		require.EventuallyWithT(t, func(c *assert.CollectT) {
			assert.Equal(c, []string{ids[0], ids[2]}, inner.received("a"))
		}, waitFor, 10*time.Millisecond, "a's held rows go out once the hung publish returned, in order")
	})
}

// A relay of held rows whose publish hangs ignoring its context gives it
// up at the attempt's bound: the pass ends, the row stays held, the other
// destinations' rows are relayed, and the next pass makes no new publish
// while the hung one runs.
func TestAHeldRelayIgnoringItsContextEndsAtTheBound(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		db := d.open(t)
		inner := newStuckTransport()
		inner.down.Store(true)
		cfg, ids := heldOutbox(t, d, db, inner, 2, "a", "b")
		inner.down.Store(false)
		outbox.SetAttemptBound(t, 100*time.Millisecond, 50*time.Millisecond)
		hanging := hangingTransport{stuckTransport: inner, hang: []string{"a"}, release: make(chan struct{}), entered: newCounter()}
		release := sync.OnceFunc(func() { close(hanging.release) })
		t.Cleanup(release)
		cfg.Transport = hanging
		pass := outbox.NewHeldPass(cfg, nil)
		stopped := errors.New("a failure stopped a row")
		passWithin := func() error {
			return sqldbtest.Within(t, "a pass of the held rows", func() error {
				if pass(context.Background()) {
					return stopped
				}
				return nil
			})
		}

		require.ErrorIs(t, passWithin(), stopped)
		assert.Equal(t, ids[1:], inner.received("b"), "b's held row is relayed")
		assert.Equal(t, int64(1), waiting(t, cfg), "a's row is still held")
		require.ErrorIs(t, passWithin(), stopped)
		assert.Equal(t, 1, hanging.entered.count("a"), "no new publish while the abandoned one runs")

		release()
		require.Eventually(t, func() bool { return !pass(context.Background()) },
			waitFor, 10*time.Millisecond, "relayed once the hung publish returned")
		assert.Equal(t, ids[:1], inner.received("a"))
		assert.Zero(t, waiting(t, cfg))
	})
}
