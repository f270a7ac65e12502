package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/middleware"
)

// driver sends orders through a CommandBus on the shared stores (so sequence
// numbers come from the shared command log) and reads the shared
// order-summary view.
type driver struct {
	svc     *cqrs.Service
	summary *cqrs.View[OrderSummary]
	close   func() error
}

// runDriver sends the workload (at -rate orders per second when set) while
// it watches the view, waits until the view shows every order paid whose
// send succeeded, and prints "sent=N acked=A failed=F completed=C lost=L
// duplicated=D" and the per-entity checks. Progress lines go to stdout
// while it waits; a failed send is printed and counted, not retried. The
// view counts per entity, so lost and duplicated are per-entity sums: an
// order whose send failed but which went out anyway can mask an
// acknowledged order lost in the same entity. Checking order by order needs
// the payment saga's state (integration/chaos_state_test.go does that).
func runDriver(ctx context.Context, opts options, stdout io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, opts.timeout)
	defer cancel()
	d, err := startDriver(ctx, opts)
	if err != nil {
		return err
	}
	w := newWorkload(opts.orders, opts.entities, opts.prefix)
	if err := w.checkFresh(ctx, d.summary); err != nil {
		return errors.Join(err, d.close())
	}
	began := time.Now()
	out := &lockedWriter{w: stdout}
	// Sending and waiting share one context: a stall or the deadline ends
	// both.
	waitCtx, progressed, stop := stallWatch(ctx, opts.stall)
	sent := make(chan sendReport, 1)
	go func() {
		r := sendTracked(waitCtx, d.svc.CommandBus(), w.orders, opts.senders, opts.rate, out)
		fmt.Fprintf(out, "sending done after %s: sent=%d failed=%d\n", time.Since(began).Round(time.Millisecond), r.sent, r.failures())
		sent <- r
	}()
	last := -1
	t, err := w.wait(waitCtx, d.summary, sent, func(completed int) {
		if completed != last {
			fmt.Fprintf(out, "progress completed=%d of %d\n", completed, len(w.orders))
			last = completed
			progressed()
		}
	})
	if cause := context.Cause(waitCtx); cause != nil && !errors.Is(cause, context.Canceled) {
		fmt.Fprintf(out, "gave up: %v\n", cause)
	}
	stop()
	if err = errors.Join(err, d.close()); err != nil {
		return err
	}
	return report(out, w, t, time.Since(began))
}

// lockedWriter serialises the lines of concurrent writers.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// stallWatch returns a context that ends when progressed is not called for
// d (never when d is 0), with the stall as its cause, and a func releasing it.
func stallWatch(ctx context.Context, d time.Duration) (_ context.Context, progressed, stop func()) {
	ctx, cancel := context.WithCancelCause(ctx)
	if d <= 0 {
		return ctx, func() {}, func() { cancel(nil) }
	}
	timer := time.AfterFunc(d, func() { cancel(fmt.Errorf("no order completed for %s", d)) })
	return ctx, func() { timer.Reset(d) }, func() { timer.Stop(); cancel(nil) }
}

// report prints the outcome and fails when an acknowledged order is lost,
// an order or payment is counted twice, or an entity without failed sends
// differs from its expected summary.
func report(stdout io.Writer, w workload, t tally, elapsed time.Duration) error {
	failed := w.failures()
	fmt.Fprintf(stdout, "sent=%d acked=%d failed=%d completed=%d lost=%d duplicated=%d\n",
		t.sent, t.sent-failed, failed, t.completed, t.lost, t.duplicated)
	for _, m := range t.mismatched {
		fmt.Fprintln(stdout, "mismatch:", m)
	}
	fmt.Fprintf(stdout, "entities=%d mismatched=%d elapsed=%s\n", len(w.entities), len(t.mismatched), elapsed.Round(time.Millisecond))
	if unsent := len(w.orders) - t.sent; unsent > 0 {
		return fmt.Errorf("%d of %d orders were not sent", unsent, len(w.orders))
	}
	if t.lost > 0 || t.duplicated > 0 || len(t.mismatched) > 0 {
		return fmt.Errorf("%d lost, %d duplicated, %d entities mismatched", t.lost, t.duplicated, len(t.mismatched))
	}
	return nil
}

// startDriver starts a service named "driver" that listens to nothing and
// sends through the AWS transport and the shared stores.
func startDriver(ctx context.Context, opts options) (*driver, error) {
	st, err := openStores(ctx, opts, false) // the driver handles nothing: no outbox
	if err != nil {
		return nil, err
	}
	logger := newLogger(opts)
	awsCfg, err := loadAWSConfig(ctx)
	if err != nil {
		return nil, errors.Join(err, st.close())
	}
	brk, err := middleware.NewCircuitBreaker(middleware.CircuitBreakerConfig{Logger: logger})
	if err != nil {
		return nil, errors.Join(err, st.close())
	}
	w, err := newAWSWiring(awsCfg, brk, opts, logger)
	if err != nil {
		return nil, errors.Join(err, st.close())
	}
	closeAll := func() error { return errors.Join(w.transport.(*awsbus.Transport).Close(), st.close()) }
	cfg := cqrs.ServiceConfig{Name: "driver", Transport: w.transport, Logger: logger}
	if w.enc != nil {
		cfg.PublisherDecorators = []message.PublisherDecorator{w.enc.DecoratePublisher}
	}
	cfg.PublisherDecorators = append(cfg.PublisherDecorators, brk.DecoratePublisher) // innermost
	err = st.configure(ctx, &cfg)
	var svc *cqrs.Service
	if err == nil {
		svc, err = cqrs.NewService(cfg)
	}
	if err == nil {
		err = registerTypes(svc, opts.dests)
	}
	if err == nil {
		err = svc.Start(ctx)
	}
	if err != nil {
		return nil, errors.Join(fmt.Errorf("start the driver: %w", err), closeAll())
	}
	return &driver{svc: svc, summary: newSummaryView(svc), close: func() error { return errors.Join(svc.Close(), closeAll()) }}, nil
}
