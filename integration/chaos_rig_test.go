//go:build integration

package integration

import (
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

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

// chaosInstances are the service instances of a run, by name (role-i).
var chaosInstances = []string{"payments-1", "orders-1", "orders-2"}

func newChaosRig(t *testing.T, bin string, sc chaosScenario, size chaosSize) *chaosRig {
	t.Helper()
	name := uniqueName("chaos-"+sc.name, "")
	r := &chaosRig{bin: bin, size: size, dsn: postgresDSN(t), prefix: name + "-",
		tablePrefix: strings.ReplaceAll(name, "-", "_") + "_", procs: map[string]*scaleoutProc{}}
	r.front = newThrottleFront(t, os.Getenv("AWS_ENDPOINT_URL"))
	r.aws = newFaultProxy(t, "aws", strings.TrimPrefix(r.front.url, "http://"))
	pgURL, err := url.Parse(r.dsn)
	require.NoError(t, err, "SOURCEFLOW_POSTGRES_DSN")
	require.True(t, pgURL.Host != "" && !pgURL.Query().Has("host"),
		"SOURCEFLOW_POSTGRES_DSN must be a URL naming host:port, so that the fault proxy can stand in: %s", r.dsn)
	r.pg = newFaultProxy(t, "postgres", pgURL.Host)
	pgURL.Host = r.pg.addr()
	endpoint := "http://" + r.aws.addr()
	// Per-service endpoint variables would bypass the proxy.
	r.env = []string{"AWS_ENDPOINT_URL=" + endpoint, "AWS_ENDPOINT_URL_SQS=" + endpoint,
		"AWS_ENDPOINT_URL_SNS=" + endpoint, "AWS_ENDPOINT_URL_KMS=" + endpoint, "AWS_ENDPOINT_URL_STS=" + endpoint}
	r.common = []string{"-transport", "aws", "-store", "postgres", "-dsn", pgURL.String(), "-table-prefix", r.tablePrefix,
		"-queues", "fifo", "-prefix", r.prefix, "-max-conns", "12", "-visibility-timeout", visibility.String()}
	if sc.flags != nil {
		r.common = append(r.common, sc.flags(t, size)...)
	}
	return r
}

// start starts the named instances and waits until each listens.
func (r *chaosRig) start(t *testing.T, names ...string) {
	t.Helper()
	for _, name := range names {
		role, _, _ := strings.Cut(name, "-")
		r.procs[name] = startProcEnv(t, r.env, r.bin, name, append(r.common, "-role", role)...)
	}
	for _, name := range names {
		r.procs[name].waitLine(t, 0, 2*time.Minute, func(l string) bool { return strings.HasPrefix(l, "ready role=") })
	}
}

func (r *chaosRig) proc(name string) *scaleoutProc { return r.procs[name] }

// sleep lets a fault last d; the faults are the only fixed waits of the
// harness, everything else waits on a condition.
func (r *chaosRig) sleep(d time.Duration) { time.Sleep(d) }

// waitFor waits up to two minutes for cond, checking twice a second.
func (r *chaosRig) waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	require.Eventually(t, cond, 2*time.Minute, 500*time.Millisecond, "waiting for: %s", what)
}

var stoppedLine = regexp.MustCompile(`^stopped role=\w+ .*duplicates=(\d+) handlers started=(\d+) finished=(\d+) cut=(\d+)$`)

// stopInstance sends SIGTERM to an instance and checks that it drains: it
// exits 0 with every handler it started finished and none cut off (a
// handler whose message context ended before it was done).
func (r *chaosRig) stopInstance(t *testing.T, name string) {
	t.Helper()
	p := r.procs[name]
	assert.NoError(t, p.stop(t, 2*time.Minute), "graceful stop of %s", name)
	line, _ := p.waitLine(t, 0, time.Second, func(l string) bool { return strings.HasPrefix(l, "stopped role=") })
	m := stoppedLine.FindStringSubmatch(line)
	require.NotNil(t, m, "stop line of %s: %s", name, line)
	assert.Equal(t, m[2], m[3], "%s: handlers started and finished: %s", name, line)
	assert.Equal(t, "0", m[4], "%s: handlers cut off by the stop: %s", name, line)
	dup, _ := strconv.Atoi(m[1])
	r.absorbed += dup
}
