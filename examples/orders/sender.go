package main

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// sendReport is what the driver's senders did: the orders sent and, per
// entity, the orders whose send returned an error.
type sendReport struct {
	sent   int
	failed map[string]int
}

// failures is the number of orders whose send failed.
func (r sendReport) failures() int {
	n := 0
	for _, f := range r.failed {
		n += f
	}
	return n
}

// sendTracked sends every planned CreateOrder from a few concurrent
// senders, at most rate orders per second when rate is positive, until ctx
// ends. A send that returns an error is printed ("send failed order=N ...")
// and counted, not retried: the order may or may not have gone out, which
// is what the error says. A progress line ("sending sent=N failed=F") is
// printed after an order is handed to a sender when a second or more has
// passed since the last one.
func sendTracked(ctx context.Context, bus *cqrs.CommandBus, orders []plannedOrder, senders int, rate float64, stdout io.Writer) sendReport {
	r := sendReport{failed: map[string]int{}}
	var mu sync.Mutex // guards r
	jobs := make(chan plannedOrder)
	var wg sync.WaitGroup
	for range senders {
		wg.Go(func() {
			for o := range jobs {
				_, err := bus.Send(ctx, o.entity, o.cmd)
				mu.Lock()
				r.sent++
				if err != nil {
					r.failed[o.entity]++
					fmt.Fprintf(stdout, "send failed order=%d entity=%s: %v\n", o.cmd.OrderNo, o.entity, err)
				}
				mu.Unlock()
			}
		})
	}
	pace := newPacer(rate)
	defer pace.stop()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for _, o := range orders {
		if !pace.wait(ctx) {
			break
		}
		select {
		case jobs <- o:
		case <-ctx.Done():
		}
		select {
		case <-tick.C:
			mu.Lock()
			fmt.Fprintf(stdout, "sending sent=%d failed=%d\n", r.sent, r.failures())
			mu.Unlock()
		default:
		}
	}
	close(jobs)
	wg.Wait()
	return r
}

// pacer spaces sends rate per second apart; a zero rate does not wait.
type pacer struct{ t *time.Ticker }

func newPacer(rate float64) pacer {
	if rate <= 0 {
		return pacer{}
	}
	return pacer{t: time.NewTicker(time.Duration(float64(time.Second) / rate))}
}

// wait waits for the next send's turn and reports whether ctx is live.
func (p pacer) wait(ctx context.Context) bool {
	if p.t == nil {
		return ctx.Err() == nil
	}
	select {
	case <-p.t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func (p pacer) stop() {
	if p.t != nil {
		p.t.Stop()
	}
}
