package main

import (
	"context"
	"errors"
	"fmt"
	"io"
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

// runDriver sends the workload, waits until the view shows every order
// paid, and prints "sent=N completed=N lost=N duplicated=N" and the
// per-entity checks. Progress lines go to stdout while it waits.
func runDriver(ctx context.Context, opts options, stdout io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, opts.timeout)
	defer cancel()
	d, err := startDriver(ctx, opts)
	if err != nil {
		return err
	}
	w := newWorkload(opts.orders, opts.entities, opts.prefix)
	began := time.Now()
	if err := sendAll(ctx, d.svc.CommandBus(), w.orders, opts.senders); err != nil {
		return errors.Join(err, d.close())
	}
	fmt.Fprintf(stdout, "sending done after %s\n", time.Since(began).Round(time.Millisecond))
	last := -1
	waitCtx, progressed, stop := stallWatch(ctx, opts.stall)
	t, err := w.wait(waitCtx, d.summary, func(completed int) {
		if completed != last {
			fmt.Fprintf(stdout, "progress completed=%d of %d\n", completed, len(w.orders))
			last = completed
			progressed()
		}
	})
	if cause := context.Cause(waitCtx); ctx.Err() == nil && cause != nil && !errors.Is(cause, context.Canceled) {
		fmt.Fprintf(stdout, "gave up: %v\n", cause)
	}
	stop()
	if err = errors.Join(err, d.close()); err != nil {
		return err
	}
	return report(stdout, w, t, time.Since(began))
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

// report prints the outcome and fails when an order is lost or counted
// twice, or when an entity's summary differs from the expected one.
func report(stdout io.Writer, w workload, t tally, elapsed time.Duration) error {
	lost := len(w.orders) - t.completed
	fmt.Fprintf(stdout, "sent=%d completed=%d lost=%d duplicated=%d\n", len(w.orders), t.completed, lost, t.duplicated)
	for _, m := range t.mismatched {
		fmt.Fprintln(stdout, "mismatch:", m)
	}
	fmt.Fprintf(stdout, "entities=%d mismatched=%d elapsed=%s\n", len(w.entities), len(t.mismatched), elapsed.Round(time.Millisecond))
	if lost > 0 || t.duplicated > 0 || len(t.mismatched) > 0 {
		return fmt.Errorf("%d lost, %d duplicated, %d entities mismatched", lost, t.duplicated, len(t.mismatched))
	}
	return nil
}

// startDriver starts a service named "driver" that listens to nothing and
// sends through the AWS transport and the shared stores.
func startDriver(ctx context.Context, opts options) (*driver, error) {
	st, err := openStores(ctx, opts)
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
	w, err := newAWSWiring(awsCfg, "driver", brk, opts, logger)
	if err != nil {
		return nil, errors.Join(err, st.close())
	}
	closeAll := func() error { return errors.Join(w.transport.(*awsbus.Transport).Close(), st.close()) }
	cfg := cqrs.ServiceConfig{Name: "driver", Transport: w.transport, Logger: logger}
	if w.enc != nil {
		cfg.PublisherDecorators = []message.PublisherDecorator{w.enc.DecoratePublisher}
	}
	cfg.PublisherDecorators = append(cfg.PublisherDecorators, brk.DecoratePublisher) // innermost
	st.configure(&cfg)
	svc, err := cqrs.NewService(cfg)
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
