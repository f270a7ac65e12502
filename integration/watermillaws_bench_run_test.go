//go:build integration

package integration

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"syscall"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// benchRow is the outcome of one transport on one kind of destination.
type benchRow struct {
	Transport, Scenario string
	// EndToEnd and PublishOnly are messages per second of the throughput
	// phase (published in calls of 10, one publisher).
	EndToEnd, PublishOnly float64
	// CallsPerMsg is SQS+SNS API calls per delivered message of the
	// throughput phase, receives of empty long polls included.
	CallsPerMsg float64
	// CPUPerMsg is the process's CPU time (user+system) per delivered
	// message of the throughput phase: both instances' clients, since the
	// emulator runs in its own process.
	CPUPerMsg time.Duration
	// P50 and P99 are publish-to-handler latencies of the latency phase
	// (one message per call at a fixed rate).
	P50, P99               time.Duration
	Sent, Lost, Duplicated int
}

// benchWire is one scenario: a sending and a receiving service instance,
// each with its own transport, and what the receiver got.
type benchWire struct {
	calls  apiCalls
	dest   string
	pub    message.Publisher
	rec    *receipts
	cancel context.CancelFunc
	subs   []message.Subscriber
	trs    []cqrs.Transport
}

func newBenchWire(awsCfg aws.Config, tr benchTransport, sc benchScenario) (*benchWire, error) {
	w := &benchWire{rec: newReceipts()}
	cfg := w.calls.instrument(awsCfg)
	suffix := ""
	if sc.fifo {
		suffix = ".fifo"
	}
	w.dest = uniqueName("bench-"+sc.kind.String(), suffix)
	ctx, cancel := benchCtx()
	defer cancel()
	recv, err := w.bound(ctx, cfg, tr, sourceflow.Binding{Service: uniqueName("bench-recv", ""),
		Listeners: []sourceflow.Listener{{Destination: w.dest, Kind: sc.kind, Types: []string{"bench.Msg"}}}})
	if err != nil {
		return w, err
	}
	if err := w.consume(recv); err != nil {
		return w, err
	}
	send, err := w.bound(ctx, cfg, tr, sourceflow.Binding{Service: uniqueName("bench-send", ""),
		Routes: []sourceflow.Route{{Type: "bench.Msg", Kind: sc.kind, Destination: w.dest}}})
	if err != nil {
		return w, err
	}
	w.pub, err = send.Publisher(w.dest)
	return w, err
}

// bound returns a new transport bound to b; close closes it.
func (w *benchWire) bound(ctx context.Context, cfg aws.Config, tr benchTransport, b sourceflow.Binding) (cqrs.Transport, error) {
	t, err := tr.new(cfg)
	if err != nil {
		return nil, err
	}
	w.trs = append(w.trs, t)
	return t, t.Bind(ctx, b)
}

// consume subscribes to the destination and acks every message, recording
// its receipt.
func (w *benchWire) consume(t cqrs.Transport) error {
	sub, err := t.Subscriber(w.dest)
	if err != nil {
		return err
	}
	w.subs = append(w.subs, sub)
	ctx, cancel := context.WithCancel(context.Background())
	w.cancel = cancel
	ch, err := sub.Subscribe(ctx, w.dest)
	if err != nil {
		return err
	}
	go func() {
		for m := range ch {
			w.rec.received(m.Metadata.Get(sourceflow.MetaMessageID))
			m.Ack()
		}
	}()
	return nil
}

func (w *benchWire) close() error {
	if w.cancel != nil {
		w.cancel()
	}
	var errs []error
	for _, s := range w.subs {
		errs = append(errs, s.Close())
	}
	for _, t := range w.trs {
		errs = append(errs, t.Close())
	}
	return errors.Join(errs...)
}

// batch returns n messages with ids prefix-first…, recorded as sent now.
func (w *benchWire) batch(prefix string, first, n int) ([]*message.Message, []string) {
	msgs, ids := make([]*message.Message, n), make([]string, n)
	for j := range msgs {
		i := first + j
		ids[j] = prefix + "-" + strconv.Itoa(i)
		m := message.NewMessage(ids[j], []byte(`{"n":`+strconv.Itoa(i)+`}`))
		cqrs.Envelope{Type: "bench.Msg", MessageID: ids[j], EntityID: "entity-" + strconv.Itoa(i%10),
			Sequence: int64(i + 1), OccurredAt: time.Now()}.WriteTo(m)
		msgs[j] = m
	}
	w.rec.sent(ids...)
	return msgs, ids
}

// runBenchScenario warms the wire up with one message, then runs the
// throughput and the latency phases.
func runBenchScenario(awsCfg aws.Config, tr benchTransport, sc benchScenario, sizes benchSizes) (row benchRow, err error) {
	row = benchRow{Transport: tr.name, Scenario: sc.name}
	w, err := newBenchWire(awsCfg, tr, sc)
	defer func() { err = errors.Join(err, w.close()) }()
	if err != nil {
		return row, err
	}
	msgs, ids := w.batch("warm", 0, 1)
	if err := w.pub.Publish(w.dest, msgs...); err != nil {
		return row, err
	}
	if missing := w.rec.waitFor(ids, benchDeadline); missing > 0 {
		return row, fmt.Errorf("the warm-up message did not arrive within %s", benchDeadline)
	}
	if err := w.throughput(sizes.messages, &row); err != nil {
		return row, err
	}
	if err := w.latency(sizes, &row); err != nil {
		return row, err
	}
	row.Sent, row.Lost, row.Duplicated = w.rec.tally()
	return row, nil
}

// throughput publishes n messages in calls of 10 and waits for them.
func (w *benchWire) throughput(n int, row *benchRow) error {
	calls0, deleted0 := w.calls.snapshot()
	cpu0 := processCPU()
	var all []string
	start := time.Now()
	for i := 0; i < n; i += 10 {
		msgs, ids := w.batch("t", i, min(10, n-i))
		if err := w.pub.Publish(w.dest, msgs...); err != nil {
			return err
		}
		all = append(all, ids...)
	}
	published := time.Since(start)
	w.rec.waitFor(all, benchDeadline)
	elapsed := time.Since(start)
	w.calls.waitDeleted(deleted0+n, 15*time.Second)
	calls1, _ := w.calls.snapshot()
	row.CPUPerMsg = (processCPU() - cpu0) / time.Duration(n)
	row.PublishOnly = float64(n) / published.Seconds()
	row.EndToEnd = float64(n) / elapsed.Seconds()
	row.CallsPerMsg = float64(calls1-calls0) / float64(n)
	return nil
}

// latency publishes one message per call at the fixed rate and measures
// publish-to-handler latency.
func (w *benchWire) latency(sizes benchSizes, row *benchRow) error {
	tick := time.NewTicker(time.Second / time.Duration(sizes.rate))
	defer tick.Stop()
	var all []string
	for i := 0; i < sizes.latencyMessages; i++ {
		<-tick.C
		msgs, ids := w.batch("l", i, 1)
		if err := w.pub.Publish(w.dest, msgs...); err != nil {
			return err
		}
		all = append(all, ids...)
	}
	w.rec.waitFor(all, benchDeadline)
	row.P50, row.P99 = w.rec.percentiles("l-")
	return nil
}

// processCPU is the CPU time (user+system) this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
