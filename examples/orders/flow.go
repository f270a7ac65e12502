package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// result is what one run did.
type result struct {
	transport     string
	created, paid int64
	viewsUpdated  int64
	completed     int
	elapsed       time.Duration
	duplicates    int64
	pipeline      string
	spans         *spanLog
	metricsAddr   string
	kms           string
}

func (r result) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "transport:          %s\n", r.transport)
	fmt.Fprintf(&b, "orders created:     %d\n", r.created)
	fmt.Fprintf(&b, "payments processed: %d\n", r.paid)
	fmt.Fprintf(&b, "views updated:      %d\n", r.viewsUpdated)
	fmt.Fprintf(&b, "orders completed:   %d\n", r.completed)
	fmt.Fprintf(&b, "duplicates dropped: %d\n", r.duplicates)
	fmt.Fprintf(&b, "elapsed:            %s\n", r.elapsed.Round(time.Millisecond))
	fmt.Fprintf(&b, "pipeline:           %s\n", r.pipeline)
	if r.kms != "" {
		fmt.Fprintf(&b, "kms:                %s\n", r.kms)
	}
	if r.metricsAddr != "" {
		fmt.Fprintf(&b, "served:             http://%s/metrics and /healthz\n", r.metricsAddr)
	}
	if r.spans != nil {
		r.spans.print(&b, 1)
	}
	return b.String()
}

// counters count what the services did, through subscribe hooks.
type counters struct {
	created, paid, views atomic.Int64
	handlers             handlerCounts
	duplicates           int64
	pipeline             string
	kms                  string
}

// runFlow runs the flow within ctx, then lingers within lingerCtx (-timeout
// bounds the flow, not the linger).
func runFlow(ctx, lingerCtx context.Context, opts options, obs *observability) (result, error) {
	res := result{transport: opts.transport}
	var c counters
	orders, closeAll, err := startServices(ctx, opts, obs, &c)
	if err != nil {
		return res, err
	}
	began := time.Now()
	prefix := opts.prefix
	if prefix == "" {
		prefix = fmt.Sprintf("run-%d-", began.UnixNano())
	}
	w := newWorkload(opts.orders, opts.entities, prefix)
	if err := sendAll(ctx, orders.svc.CommandBus(), w.orders, opts.senders); err != nil {
		closeAll()
		return res, err
	}
	sent := make(chan sendReport, 1)
	sent <- sendReport{sent: len(w.orders)}
	t, err := w.wait(ctx, orders.summary, sent, func(int) {})
	if err != nil {
		closeAll()
		return res, err
	}
	res.completed, res.elapsed, res.metricsAddr = t.completed, time.Since(began), obs.addr
	if opts.linger > 0 {
		sleepCtx(lingerCtx, opts.linger)
	}
	closeAll()
	res.created, res.paid, res.viewsUpdated = c.created.Load(), c.paid.Load(), c.views.Load()
	res.duplicates, res.pipeline, res.spans, res.kms = c.duplicates, c.pipeline, obs.spans, c.kms
	return res, obs.shutdown(context.Background())
}

// sendAll sends every planned CreateOrder from a few concurrent senders.
// When ctx ends it stops sending, without an error: the run was
// interrupted, as wait's is (a Send whose context ended may have handed its
// command over, and its handling goes on).
func sendAll(ctx context.Context, bus *cqrs.CommandBus, orders []plannedOrder, senders int) error {
	jobs := make(chan plannedOrder)
	errs := make(chan error, senders)
	var wg sync.WaitGroup
	for range senders {
		wg.Go(func() {
			for o := range jobs {
				if _, err := bus.Send(ctx, o.entity, o.cmd); err != nil && ctx.Err() == nil {
					errs <- fmt.Errorf("send order %d for %s: %w", o.cmd.OrderNo, o.entity, err)
					return
				}
			}
		})
	}
	var err error
	for _, o := range orders {
		select {
		case jobs <- o:
			continue
		case err = <-errs:
		case <-ctx.Done():
		}
		break
	}
	close(jobs)
	wg.Wait()
	close(errs)
	return errors.Join(err, <-errs)
}
