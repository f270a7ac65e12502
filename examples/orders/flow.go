package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"
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
	duplicates           int64
	pipeline             string
	kms                  string
}

func runFlow(ctx context.Context, opts options, obs *observability) (result, error) {
	res := result{transport: opts.transport}
	var c counters
	orders, closeAll, err := startServices(ctx, opts, obs, &c)
	if err != nil {
		return res, err
	}

	began := time.Now()
	ids := make([]string, opts.orders)
	prefix := fmt.Sprintf("order-%d", began.UnixNano())
	for i := range ids {
		ids[i] = fmt.Sprintf("%s-%04d", prefix, i+1)
	}
	if err := sendAll(ctx, orders, ids, opts.senders); err != nil {
		return res, err
	}
	res.completed = waitForCompletion(ctx, orders, ids)
	res.elapsed = time.Since(began)
	res.metricsAddr = obs.addr
	if opts.linger > 0 {
		sleepCtx(ctx, opts.linger)
	}
	closeAll()
	res.created, res.paid, res.viewsUpdated = c.created.Load(), c.paid.Load(), c.views.Load()
	res.duplicates, res.pipeline, res.spans, res.kms = c.duplicates, c.pipeline, obs.spans, c.kms
	return res, obs.shutdown(context.Background())
}

// sendAll sends one CreateOrder per id from a few concurrent senders.
func sendAll(ctx context.Context, s *ordersService, ids []string, senders int) error {
	jobs := make(chan int)
	errs := make(chan error, senders)
	var wg sync.WaitGroup
	for range senders {
		wg.Go(func() {
			for i := range jobs {
				cmd := CreateOrder{Customer: fmt.Sprintf("customer-%d", i%17), Amount: int64(100 + i)}
				if _, err := s.orders.Send(ctx, ids[i], cmd); err != nil {
					errs <- fmt.Errorf("send %s: %w", ids[i], err)
					return
				}
			}
		})
	}
	var err error
	for i := range ids {
		select {
		case jobs <- i:
			continue
		case err = <-errs:
		}
		break
	}
	close(jobs)
	wg.Wait()
	close(errs)
	return errors.Join(err, <-errs)
}

// waitForCompletion polls the view until every order is paid or ctx ends,
// and returns how many are.
func waitForCompletion(ctx context.Context, s *ordersService, ids []string) int {
	done := 0
	pending := ids
	for {
		var still []string
		for _, id := range pending {
			sum, found, err := s.summary.Get(ctx, id)
			if err != nil || !found || !sum.Paid {
				still = append(still, id)
			}
		}
		done += len(pending) - len(still)
		pending = still
		if len(pending) == 0 || !sleepCtx(ctx, 20*time.Millisecond) {
			return done
		}
	}
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
