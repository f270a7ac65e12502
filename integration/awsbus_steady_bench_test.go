//go:build integration

package integration

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// BenchmarkAWSBusSteadyRate measures awsbus at a steady rate of
// single-message publishes to an SQS standard queue, each from its own
// goroutine as concurrent handlers publish, without and with a publish
// linger: SQS calls per delivered message (sends, receives with empty long
// polls, deletes) and publish-to-handler latency p50/p99. Each run lasts
// SOURCEFLOW_BENCH_STEADY_SECONDS (default 5) at 50 and at 200 messages per
// second. It runs once, whatever b.N.
func BenchmarkAWSBusSteadyRate(b *testing.B) {
	awsCfg := awsConfigB(b)
	seconds := 5
	if n, err := strconv.Atoi(os.Getenv("SOURCEFLOW_BENCH_STEADY_SECONDS")); err == nil && n > 0 {
		seconds = n
	}
	for _, rate := range []int{50, 200} {
		for _, linger := range []time.Duration{0, 20 * time.Millisecond} {
			calls, p50, p99, ops, err := steadyRun(awsCfg, rate, seconds, linger)
			if err != nil {
				b.Fatalf("%d/s, linger %v: %v", rate, linger, err)
			}
			unit := fmt.Sprintf("(%d/s,linger=%v)", rate, linger)
			b.ReportMetric(calls, "calls/msg"+unit)
			b.ReportMetric(float64(p50.Microseconds())/1000, "p50_ms"+unit)
			b.ReportMetric(float64(p99.Microseconds())/1000, "p99_ms"+unit)
			b.Logf("%d msg/s, linger %v: %.2f calls/msg (%s), p50 %v, p99 %v", rate, linger, calls, ops,
				p50.Round(time.Millisecond), p99.Round(time.Millisecond))
		}
	}
}

// steadyRun publishes rate messages per second for seconds, one per
// goroutine, and returns calls per message and the latency percentiles.
func steadyRun(awsCfg aws.Config, rate, seconds int, linger time.Duration) (calls float64, p50, p99 time.Duration, ops string, err error) {
	tr := benchTransport{name: "awsbus", new: func(c aws.Config) (cqrs.Transport, error) {
		return awsbus.NewTransportFromAWS(c, awsbus.Config{PublishLinger: linger})
	}}
	w, err := newBenchWire(awsCfg, tr, benchScenarios[0])
	defer func() {
		if cerr := w.close(); err == nil {
			err = cerr
		}
	}()
	if err != nil {
		return 0, 0, 0, "", err
	}
	warm, ids := w.batch("warm", 0, 1)
	if err := w.pub.Publish(w.dest, warm...); err != nil {
		return 0, 0, 0, "", err
	}
	w.rec.waitFor(ids, benchDeadline)
	calls0, deleted0 := w.calls.snapshot()
	ops0 := w.calls.byOperation()
	n := rate * seconds
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failed error
	var all []string
	for i := range n {
		<-tick.C
		msgs, ids := w.batch("s", i, 1)
		all = append(all, ids...)
		wg.Go(func() {
			if err := w.pub.Publish(w.dest, msgs...); err != nil {
				mu.Lock()
				failed = err
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if failed != nil {
		return 0, 0, 0, "", failed
	}
	if missing := w.rec.waitFor(all, benchDeadline); missing > 0 {
		return 0, 0, 0, "", fmt.Errorf("%d of %d messages did not arrive", missing, n)
	}
	w.calls.waitDeleted(deleted0+n, 15*time.Second)
	calls1, _ := w.calls.snapshot()
	p50, p99 = w.rec.percentiles("s-")
	var parts []string
	for op, c := range w.calls.byOperation() {
		parts = append(parts, fmt.Sprintf("%s %.2f", op, float64(c-ops0[op])/float64(n)))
	}
	slices.Sort(parts)
	return float64(calls1-calls0) / float64(n), p50, p99, strings.Join(parts, ", "), nil
}
