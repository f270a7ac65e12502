//go:build integration

package integration

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// chaosRig is one scenario's deployment: the fault proxies, the flags every
// process shares, and the instances.
type chaosRig struct {
	bin, prefix, tablePrefix, dsn string
	size                          chaosSize
	aws, pg                       *faultProxy
	front                         *throttleFront
	env, common                   []string
	procs                         map[string]*scaleoutProc // the running process of each instance
	absorbed                      int                      // redeliveries the stopped instances' idempotency absorbed
}

func newChaosRig(t *testing.T, bin string, sc chaosScenario, size chaosSize) *chaosRig {
	t.Helper()
	name := uniqueName("chaos-"+sc.name, "")
	r := &chaosRig{bin: bin, size: size, dsn: postgresDSN(t), prefix: name + "-",
		tablePrefix: strings.ReplaceAll(name, "-", "_") + "_", procs: map[string]*scaleoutProc{}}
	r.front = newThrottleFront(t, os.Getenv("AWS_ENDPOINT_URL"))
	r.aws = newFaultProxy(t, "aws", strings.TrimPrefix(r.front.url, "http://"))
	pgURL, err := url.Parse(r.dsn)
	require.NoError(t, err, "SOURCEFLOW_POSTGRES_DSN")
	r.pg = newFaultProxy(t, "postgres", pgURL.Host)
	pgURL.Host = r.pg.addr()
	r.env = []string{"AWS_ENDPOINT_URL=http://" + r.aws.addr()}
	r.common = []string{"-transport", "aws", "-store", "postgres", "-dsn", pgURL.String(), "-table-prefix", r.tablePrefix,
		"-queues", "fifo", "-prefix", r.prefix, "-max-conns", "8", "-visibility-timeout", visibility.String()}
	if sc.flags != nil {
		r.common = append(r.common, sc.flags(t)...)
	}
	return r
}

// start starts the named instances and waits until each listens.
func (r *chaosRig) start(t *testing.T, names ...string) {
	t.Helper()
	for _, name := range names {
		r.procs[name] = startProcEnv(t, r.env, r.bin, name, append(r.common, "-role", roleOf(name))...)
	}
	for _, name := range names {
		r.procs[name].waitLine(t, 0, 2*time.Minute, func(l string) bool { return strings.HasPrefix(l, "ready role=") })
	}
}

func (r *chaosRig) proc(name string) *scaleoutProc { return r.procs[name] }

// sleep lets a fault last d; the faults are the only fixed waits of the
// harness, everything else waits on a condition.
func (r *chaosRig) sleep(d time.Duration) { time.Sleep(d) }

var stoppedLine = regexp.MustCompile(`^stopped role=\w+ .*duplicates=(\d+) handlers started=(\d+) finished=(\d+) cut=(\d+)$`)

// stopInstance sends SIGTERM to an instance and checks that it drains: it
// exits 0 with every handler it started finished and none cut off.
func (r *chaosRig) stopInstance(t *testing.T, name string) {
	t.Helper()
	p := r.procs[name]
	require.NoError(t, p.stop(t, 2*time.Minute), "graceful stop of %s", name)
	line, _ := p.waitLine(t, 0, time.Second, func(l string) bool { return strings.HasPrefix(l, "stopped role=") })
	m := stoppedLine.FindStringSubmatch(line)
	require.NotNil(t, m, "stop line of %s: %s", name, line)
	assert.Equal(t, m[2], m[3], "%s: handlers started and finished: %s", name, line)
	assert.Equal(t, "0", m[4], "%s: handlers cut off by the stop: %s", name, line)
	dup, _ := strconv.Atoi(m[1])
	r.absorbed += dup
}

// queueDepths returns the approximate visible plus in-flight messages of
// each of the run's queues, by name: the command queues and dead-letter
// queues ("<prefix>...") and the orders service's event queues
// ("orders-<prefix>...", named after service and topic).
func (r *chaosRig) queueDepths(t *testing.T, client *sqs.Client) map[string]int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var urls []string
	for _, prefix := range []string{r.prefix, "orders-" + r.prefix} {
		list, err := client.ListQueues(ctx, &sqs.ListQueuesInput{QueueNamePrefix: aws.String(prefix)})
		require.NoError(t, err)
		urls = append(urls, list.QueueUrls...)
	}
	require.Len(t, urls, 8, "queues of %s: orders, payments and two event queues, each with a dead-letter queue: %v", r.prefix, urls)
	depths := map[string]int{}
	for _, u := range urls {
		attrs, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(u),
			AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameApproximateNumberOfMessages,
				types.QueueAttributeNameApproximateNumberOfMessagesNotVisible}})
		require.NoError(t, err)
		n := 0
		for _, v := range attrs.Attributes {
			d, err := strconv.Atoi(v)
			require.NoError(t, err)
			n += d
		}
		depths[u[strings.LastIndex(u, "/")+1:]] = n
	}
	return depths
}

// waitDrained waits until every queue but the dead-letter queues is empty,
// so that nothing is in flight when the instances stop.
func (r *chaosRig) waitDrained(t *testing.T, client *sqs.Client) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for {
		left := map[string]int{}
		for q, n := range r.queueDepths(t, client) {
			if n > 0 && !strings.Contains(q, "-dlq") {
				left[q] = n
			}
		}
		if len(left) == 0 {
			return
		}
		require.True(t, time.Now().Before(deadline), "queues not drained: %v", left)
		time.Sleep(500 * time.Millisecond)
	}
}

// deadLetters counts the messages in the run's dead-letter queues.
func (r *chaosRig) deadLetters(t *testing.T, client *sqs.Client) int {
	t.Helper()
	n := 0
	for q, d := range r.queueDepths(t, client) {
		if strings.Contains(q, "-dlq") {
			if d > 0 {
				t.Logf("dead-letter queue %s holds %d message(s)", q, d)
			}
			n += d
		}
	}
	return n
}

var sendFailedLine = regexp.MustCompile(`^send failed order=(\d+) `)

// failedOrders returns the orders whose send the driver reported failed.
func failedOrders(t *testing.T, driver *scaleoutProc) map[int64]bool {
	t.Helper()
	lines, _ := driver.linesSince(0)
	failed := map[int64]bool{}
	for _, l := range lines {
		if m := sendFailedLine.FindStringSubmatch(l); m != nil {
			n, err := strconv.ParseInt(m[1], 10, 64)
			require.NoError(t, err)
			failed[n] = true
		}
	}
	return failed
}

// recoveryAfter is how long after end the driver first saw more orders
// paid than at end; ok is false when no progress followed end (every order
// was paid before it).
func recoveryAfter(driver *scaleoutProc, end time.Time) (d time.Duration, ok bool) {
	lines, at := driver.linesSince(0)
	base := -1
	for i, l := range lines {
		c, isProgress := progressOf(l)
		switch {
		case !isProgress:
		case !at[i].After(end):
			base = c
		case c > base:
			return at[i].Sub(end), true
		}
	}
	return 0, false
}

// runChaos runs one scenario and returns its figures.
func runChaos(t *testing.T, bin string, sc chaosScenario, size chaosSize) chaosFigures {
	r := newChaosRig(t, bin, sc, size)
	r.start(t, "payments-1") // payments listens before orders sends to it
	r.start(t, "orders-1", "orders-2")
	deadline := 10*time.Minute + time.Duration(float64(size.orders)/size.rate*float64(time.Second))*3
	began := time.Now()
	driver := startProcEnv(t, r.env, bin, "driver", append(r.common, "-role", "driver",
		"-n", strconv.Itoa(size.orders), "-entities", strconv.Itoa(size.entities), "-senders", "8",
		"-rate", fmt.Sprint(size.rate), "-timeout", deadline.String(), "-stall", (size.outage+3*time.Minute).String())...)
	var f chaosFigures
	var faultEnd time.Time
	if sc.inject != nil {
		driver.waitLine(t, 0, deadline, func(l string) bool {
			c, ok := progressOf(l)
			return ok && c >= size.orders/5
		})
		sc.inject(t, r)
		faultEnd = time.Now()
	}
	final, _ := driver.waitLine(t, 0, deadline+time.Minute, func(l string) bool { return strings.HasPrefix(l, "sent=") })
	require.NoError(t, driver.wait(t, time.Minute), "driver: %s", final)
	f.elapsed = time.Since(began)
	failed := failedOrders(t, driver)
	f.sent, f.failed = size.orders, len(failed)
	if !faultEnd.IsZero() {
		f.recovery, f.recovered = recoveryAfter(driver, faultEnd)
	}
	client := sqs.NewFromConfig(awsConfig(t))
	r.waitDrained(t, client)
	for _, name := range chaosInstances {
		r.stopInstance(t, name)
	}
	f.absorbed, f.deadLettered = r.absorbed, r.deadLetters(t, client)
	st := soRun{dsn: r.dsn, tablePrefix: r.tablePrefix}.openStore(t)
	f.state = checkChaosState(t, st, r.prefix, size, failed)
	f.throttled = [3]int{int(r.front.bySQS.Load()), int(r.front.bySNS.Load()), int(r.front.byKMS.Load())}
	assert.Zero(t, f.state.lost, "acknowledged orders lost")
	assert.Zero(t, f.state.duplicates, "duplicate side effects")
	assert.Zero(t, f.state.unexpected, "payments for orders never sent")
	assert.Zero(t, f.deadLettered, "dead-lettered messages")
	return f
}
