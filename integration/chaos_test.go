//go:build integration

package integration

import (
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/stretchr/testify/require"
)

// The fault-injection harness: examples/orders runs as separate processes
// (two orders instances, one payments instance and a driver) on SQS/SNS and
// PostgreSQL, each backend reached through a toxiproxy proxy run in this
// process (the AWS endpoint also through an HTTP front that throttles), and
// each scenario injects one fault while the driver sends. Every scenario
// reports its figures (chaosFigures) and fails on a lost acknowledged
// order, a duplicate side effect, a dead letter, an instance that does not
// stop cleanly, or a scenario-specific check.
//
// `make test` runs the short version (chaosShort); `make chaos` runs the
// full one: SOURCEFLOW_CHAOS_ORDERS orders per scenario and
// SOURCEFLOW_CHAOS_OUTAGE outages, and writes the figures table to
// SOURCEFLOW_CHAOS_REPORT.
var chaosShort = chaosSize{orders: 300, entities: 30, outage: 6 * time.Second, rate: 20}

// chaosSize is how big a run is.
type chaosSize struct {
	orders, entities int
	outage           time.Duration // how long an outage or slow spell lasts
	rate             float64       // orders the driver sends per second
}

// sendTime is how long the driver sends.
func (s chaosSize) sendTime() time.Duration {
	return time.Duration(float64(s.orders) / s.rate * float64(time.Second))
}

// chaosSizeFromEnv is chaosShort unless SOURCEFLOW_CHAOS_ORDERS or
// SOURCEFLOW_CHAOS_OUTAGE say otherwise; a larger run sends for 100 s (at a
// hundredth of its orders per second).
func chaosSizeFromEnv(t *testing.T) chaosSize {
	t.Helper()
	s := chaosShort
	if v := os.Getenv("SOURCEFLOW_CHAOS_ORDERS"); v != "" {
		n, err := strconv.Atoi(v)
		require.NoError(t, err, "SOURCEFLOW_CHAOS_ORDERS")
		require.GreaterOrEqual(t, n, 100, "SOURCEFLOW_CHAOS_ORDERS")
		s.orders, s.entities, s.rate = n, min(200, n/10), max(float64(n)/100, chaosShort.rate)
	}
	if v := os.Getenv("SOURCEFLOW_CHAOS_OUTAGE"); v != "" {
		d, err := time.ParseDuration(v)
		require.NoError(t, err, "SOURCEFLOW_CHAOS_OUTAGE")
		require.Positive(t, d, "SOURCEFLOW_CHAOS_OUTAGE")
		s.outage = d
	}
	return s
}

// chaosScenario is one fault: extra flags for every instance, and inject,
// which runs once a fifth of the orders are sent and returns when the
// fault has ended. sendErrors says whether sends may fail: a scenario
// whose fault leaves the publishers' path alone must have none.
type chaosScenario struct {
	name, fault string // fault is the figures table's description
	sendErrors  bool
	flags       func(t *testing.T, size chaosSize) []string
	inject      func(t *testing.T, r *chaosRig)
}

const (
	visibility  = 10 * time.Second                // SQS visibility timeout of every listened queue
	slowLatency = visibility + 2*time.Second      // the slow spell's added latency
	slowSpell   = 2 * (slowLatency + time.Second) // at least two slow round trips
)

var chaosScenarios = []chaosScenario{
	{
		name:  "sigkill",
		fault: "an orders instance and the only payments instance killed (SIGKILL) and restarted",
		inject: func(t *testing.T, r *chaosRig) {
			r.proc("orders-2").kill()
			r.proc("payments-1").kill()
			r.start(t, "orders-2", "payments-1")
		},
	},
	{
		name:       "aws-outage",
		fault:      "AWS endpoint refuses connections for half the outage, then resets (RST) every response",
		sendErrors: true,
		inject: func(t *testing.T, r *chaosRig) {
			r.aws.refuse()
			r.sleep(r.size.outage / 2)
			r.aws.restore(t)
			remove := r.aws.toxic(t, "reset_peer", "downstream", map[string]any{"timeout": 0})
			r.sleep(r.size.outage / 2)
			remove()
		},
	},
	{
		name: "aws-slow-throttled",
		fault: "AWS endpoint throttles 20% of SQS, SNS and KMS calls (an orders instance restarts meanwhile, " +
			"so KMS is called), then also answers 12s late (visibility 10s); KMS encryption on",
		sendErrors: true,
		flags: func(t *testing.T, _ chaosSize) []string {
			return []string{"-kms-key", encCreateKey(t, kms.NewFromConfig(awsConfig(t)))}
		},
		inject: func(t *testing.T, r *chaosRig) {
			r.front.setShare(0.2)
			r.stopInstance(t, "orders-2")
			r.start(t, "orders-2")
			r.waitFor(t, "SQS, SNS and KMS calls throttled", func() bool {
				return r.front.bySQS.Load() > 0 && r.front.bySNS.Load() > 0 && r.front.byKMS.Load() > 0
			})
			r.sleep(r.size.outage)
			remove := r.aws.toxic(t, "latency", "downstream", map[string]any{"latency": slowLatency.Milliseconds()})
			r.sleep(max(r.size.outage, slowSpell))
			remove()
			r.front.setShare(0)
		},
	},
	{
		name:       "db-outage",
		fault:      "PostgreSQL (stores, idempotency) refuses connections and drops open ones",
		sendErrors: true,
		inject: func(t *testing.T, r *chaosRig) {
			r.pg.refuse()
			r.sleep(r.size.outage)
			r.pg.restore(t)
		},
	},
	{
		name: "sigterm",
		fault: "an orders instance and the only payments instance stopped (SIGTERM) while every 10th " +
			"CreateOrder handling takes 1s, and restarted",
		// 1s handlers are in flight at the stop and end well within the
		// example's 5s ShutdownTimeout.
		flags: func(*testing.T, chaosSize) []string { return []string{"-slow-every", "10", "-slow-handler", "1s"} },
		inject: func(t *testing.T, r *chaosRig) {
			r.stopInstance(t, "orders-2")
			r.stopInstance(t, "payments-1")
			r.start(t, "orders-2", "payments-1")
		},
	},
	{
		name:  "slow-handlers",
		fault: "every 20th (full size: every 50th) CreateOrder handling takes 12s (visibility 10s)",
		flags: func(_ *testing.T, size chaosSize) []string {
			return []string{"-slow-every", strconv.Itoa(max(20, size.orders/100)), "-slow-handler", slowLatency.String()}
		},
	},
}

func TestChaos(t *testing.T) {
	size := chaosSizeFromEnv(t)
	bin := buildOrders(t)
	var rows []chaosFigures
	for _, sc := range chaosScenarios {
		t.Run(sc.name, func(t *testing.T) {
			f := chaosFigures{scenario: sc.name, fault: sc.fault}
			defer func() {
				f.failed = t.Failed()
				rows = append(rows, f)
			}()
			runChaos(t, bin, sc, size, &f)
			t.Logf("%s: %s", sc.name, f)
		})
	}
	table := chaosTable(size, rows)
	t.Log("\n" + table)
	if path := os.Getenv("SOURCEFLOW_CHAOS_REPORT"); path != "" {
		require.NoError(t, os.WriteFile(path, []byte(table), 0o644))
	}
}
