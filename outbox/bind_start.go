package outbox

import (
	"context"
	"errors"
	"fmt"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// startup is a start of the outbox under way: the creation of its tables
// and the start of its forwarder, which one Bind runs at a time.
type startup struct {
	done   chan struct{}      // closed when the start ended and nothing of it runs
	cancel context.CancelFunc // ends the start (Close)
}

// start creates the outbox tables and starts the forwarder, once. It holds
// t.mu only to look at and record the state, never across database work: a
// Bind that finds another start under way waits for it (as long as ctx
// allows) and starts again if that one failed.
func (t *Transport) start(ctx context.Context) error {
	for {
		startCtx, cancel := context.WithCancel(ctx)
		mine, other, err := t.claimStart(cancel)
		if mine != nil {
			return t.runStart(startCtx, mine)
		}
		cancel()
		if err != nil {
			return err
		}
		if other == nil { // bound: a start cut during its link check left it to this Bind
			t.checkLink(ctx)
			return nil
		}
		select {
		case <-other.done:
		case <-ctx.Done():
			return fmt.Errorf("outbox: waiting for another Bind to start the outbox %q: %w", t.cfg.Topic, ctx.Err())
		}
	}
}

// claimStart returns ErrClosed after Close, nothing once the outbox is
// bound, the start under way if there is one, or else a new start, ended by
// cancel, that the caller runs.
func (t *Transport) claimStart(cancel context.CancelFunc) (mine, other *startup, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case t.closed:
		return nil, nil, ErrClosed
	case t.bound:
		return nil, nil, nil
	case t.starting != nil:
		return nil, t.starting, nil
	}
	t.starting = &startup{done: make(chan struct{}), cancel: cancel}
	return t.starting, nil, nil
}

// runStart runs the start s and records its outcome. When Close came
// meanwhile (and cancelled s) it stops what the start began and returns
// ErrClosed. It closes s.done last, once nothing of the start runs: Close
// waits for it.
func (t *Transport) runStart(ctx context.Context, s *startup) error {
	defer close(s.done)
	defer s.cancel()
	run, legacy, err := t.startOnce(ctx)
	t.mu.Lock()
	t.starting = nil
	closed := t.closed
	if err == nil && !closed {
		t.bound, t.run = true, run
		if legacy {
			t.legacy = watchLegacyOutbox(t.cfg, t.namedBy, t.legacyTicks)
		}
	}
	t.mu.Unlock()
	if closed {
		if run != nil {
			return errors.Join(ErrClosed, run.stop())
		}
		return ErrClosed
	}
	return err
}

// startOnce creates the tables and starts the forwarder (unless
// Config.DisableForwarder). With a Topic TopicFor gave it, it first logs
// rows stranded in the earlier releases' default outbox
// (checkLegacyOutbox), and reports in legacy whether that outbox's table
// exists, to be looked at again while the Transport runs.
// A failure after ctx ended carries ctx's error:
// a driver does not always report that it abandoned a statement for it.
func (t *Transport) startOnce(ctx context.Context) (run *forwarderRun, legacy bool, err error) {
	err = initSchema(ctx, t.cfg)
	if service := t.derivedFrom(); err == nil && service != "" && t.cfg.Topic != legacyTopic {
		legacy = checkLegacyOutbox(ctx, t.cfg, service)
	}
	if err == nil {
		t.checkLink(ctx)
	}
	if err == nil && !t.cfg.DisableForwarder {
		run, err = startForwarder(ctx, t.cfg, t.backoff, &t.dead, &t.stopping)
	}
	if cerr := ctx.Err(); err != nil && cerr != nil && !errors.Is(err, cerr) {
		err = fmt.Errorf("%w (%w)", err, cerr)
	}
	return run, legacy, err
}

// checkLink logs a warning when the connection to the database is not
// encrypted, or in TLS that does not verify the server, unless a check concluded already (sqldb.PlaintextOnce): a
// Bind whose context ended during the check leaves it to a later Bind.
func (t *Transport) checkLink(ctx context.Context) {
	t.linkChecked.Warn(ctx, t.cfg.DB, t.cfg.Dialect, "", sqldb.DefaultConnectTimeout, t.cfg.Logger, "outbox")
}
