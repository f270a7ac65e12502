package main

import (
	"context"
	"fmt"
	"time"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// plannedOrder is one order a run sends: the entity it belongs to and the
// command.
type plannedOrder struct {
	entity string
	cmd    CreateOrder
}

// workload is the orders of a run and, per entity, the summary a correct
// run ends with when every send succeeds, and the sends that failed.
type workload struct {
	orders   []plannedOrder
	entities []string
	expected map[string]OrderSummary
	sent     int            // orders sent, once sending is done
	failed   map[string]int // per entity, orders whose send failed
}

// failures is the number of orders whose send failed.
func (w workload) failures() int { return sendReport{failed: w.failed}.failures() }

// owed is the number of payments an entity must show: its orders whose
// send succeeded (an order whose send failed may show or not).
func (w workload) owed(entity string) int64 {
	return w.expected[entity].Payments - int64(w.failed[entity])
}

// newWorkload plans n orders numbered 1..n over the given number of entities
// (round robin; 0 means one entity per order), every name starting with
// prefix.
func newWorkload(n, entities int, prefix string) workload {
	w := workload{expected: map[string]OrderSummary{}}
	for i := range n {
		entity := fmt.Sprintf("%sorder-%05d", prefix, i+1)
		customer := fmt.Sprintf("customer-%d", i%17)
		if entities > 0 {
			entity = fmt.Sprintf("%scustomer-%04d", prefix, i%entities+1)
			customer = entity
		}
		cmd := CreateOrder{OrderNo: int64(i + 1), Customer: customer, Amount: int64(100 + i)}
		w.orders = append(w.orders, plannedOrder{entity: entity, cmd: cmd})
		sum, seen := w.expected[entity]
		if !seen {
			w.entities = append(w.entities, entity)
		}
		sum.Customer = customer
		sum.Orders, sum.Ordered = sum.Orders+1, sum.Ordered+cmd.Amount
		sum.Payments, sum.Paid = sum.Orders, sum.Ordered
		w.expected[entity] = sum
	}
	return w
}

// checkFresh fails when the workload's first entity already has a summary:
// an earlier run with the same -prefix on the same store left it, and the
// view would count that run's orders as this run's (a run no instance
// processes would pass, one they do would report duplicates). Every run
// sends to that entity, so reading it alone finds such a run.
func (w workload) checkFresh(ctx context.Context, view *cqrs.View[OrderSummary]) error {
	if len(w.entities) == 0 {
		return nil
	}
	entity := w.entities[0]
	_, found, err := view.Get(ctx, entity)
	if err != nil {
		return fmt.Errorf("read the summary of entity %s: %w", entity, err)
	}
	if found {
		return fmt.Errorf("entity %s already has a summary: an earlier run with this -prefix used this store; "+
			"give each run a -prefix of its own (its instances the same one), or a fresh store", entity)
	}
	return nil
}

// tally is what the order-summary view shows of a workload.
type tally struct {
	sent       int // orders sent
	completed  int // orders whose payment the view shows
	lost       int // payments owed (see workload.owed) that the view lacks
	duplicated int // orders or payments the view counts more than once
	mismatched []string
}

// read reads every entity's summary and compares it with the expected one.
// An entity whose payments are all in and whose sends all succeeded has its
// summary checked exactly.
func (w workload) read(ctx context.Context, view *cqrs.View[OrderSummary]) (tally, error) {
	t := tally{sent: w.sent}
	for _, entity := range w.entities {
		want := w.expected[entity]
		got, _, err := view.Get(ctx, entity)
		if err != nil {
			return t, err
		}
		t.completed += int(min(got.Payments, want.Payments))
		t.lost += int(max(w.owed(entity)-got.Payments, 0))
		t.duplicated += int(max(got.Orders-want.Orders, 0) + max(got.Payments-want.Payments, 0))
		if w.failed[entity] == 0 && got.Payments >= want.Payments && got != want {
			t.mismatched = append(t.mismatched, fmt.Sprintf("entity %s: summary %+v, want %+v", entity, got, want))
		}
	}
	return t, nil
}

// wait reads the summaries of the entities not yet complete until sending
// is done (sent delivers its report) and every order owed is projected and
// paid, or ctx ends, and returns the final tally of every entity. It calls
// progress with the orders paid so far whenever a read shows more of them:
// a round reads the pending entities one after another, which on a busy
// store takes minutes, and progress made early in a round is reported
// without waiting for its end. A failed read is tried again next round: a
// database outage only delays the wait, which -timeout and -stall bound.
func (w *workload) wait(ctx context.Context, view *cqrs.View[OrderSummary], sent <-chan sendReport, progress func(completed int)) (tally, error) {
	pending, sending := w.entities, true
	p := paidSoFar{seen: map[string]int64{}, progress: progress}
	for (sending || len(pending) > 0) && ctx.Err() == nil {
		select {
		case r := <-sent:
			w.sent, w.failed, sending = r.sent, r.failed, false
		default:
		}
		pending = w.poll(ctx, view, pending, &p)
		if sending || len(pending) > 0 {
			sleepCtx(ctx, 200*time.Millisecond)
		}
	}
	if sending { // ctx ended, and the senders, which share it, stop
		r := <-sent
		w.sent, w.failed = r.sent, r.failed
	}
	final, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	t, err := w.read(final, view)
	for attempt := 1; err != nil && attempt < 5 && sleepCtx(final, time.Second); attempt++ {
		t, err = w.read(final, view)
	}
	return t, err
}

// paidSoFar is the payments the reads of a wait have shown: per entity the
// most its summary showed, and their sum (each entity's capped at its
// orders), which progress receives whenever it grows.
type paidSoFar struct {
	seen     map[string]int64
	paid     int
	progress func(completed int)
}

// saw records that a read of entity's summary showed payments; want is the
// summary the entity ends with.
func (p *paidSoFar) saw(entity string, payments int64, want OrderSummary) {
	before := p.seen[entity]
	if payments <= before {
		return
	}
	p.seen[entity] = payments
	p.paid += int(min(payments, want.Payments) - min(before, want.Payments))
	p.progress(p.paid)
}

// poll reads the pending entities' summaries once, recording in p the
// payments each shows, and returns those still pending: not complete
// (every order owed projected and paid), or not read because a read
// failed.
func (w workload) poll(ctx context.Context, view *cqrs.View[OrderSummary], pending []string, p *paidSoFar) (still []string) {
	for i, entity := range pending {
		got, _, err := view.Get(ctx, entity)
		if err != nil {
			return append(still, pending[i:]...)
		}
		p.saw(entity, got.Payments, w.expected[entity])
		// An entity is complete when its orders are in as well as its
		// payments: an OrderCreated projection can land after the payment
		// it led to (its handling was redelivered after the reaction that
		// sent ProcessPayment had run).
		if owed := w.owed(entity); got.Payments >= owed && got.Orders >= owed {
			continue
		}
		still = append(still, entity)
	}
	return still
}

// sleepCtx waits d, or less when ctx ends first, and reports whether ctx
// is still live.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	wait, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	<-wait.Done()
	return ctx.Err() == nil
}
