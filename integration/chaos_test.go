//go:build integration

package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/stretchr/testify/require"
)

// The fault-injection harness: examples/orders runs as separate processes
// (two orders instances, one payments instance and a driver) on SQS/SNS and
// PostgreSQL, each backend reached through a toxiproxy proxy run in this
// process (and the AWS endpoint also through an HTTP front that throttles),
// and each scenario injects one fault while the driver sends. Every
// scenario reports sent / acknowledged / failed sends / handled / lost /
// duplicate side effects / redeliveries absorbed / dead-lettered / time to
// recover, and fails on a lost acknowledged order, a duplicate side effect,
// a dead letter or an instance that does not stop cleanly.
//
// `make test` runs the short version (chaosShort); `make chaos` runs the
// full one: SOURCEFLOW_CHAOS_ORDERS orders per scenario (10,000) and
// SOURCEFLOW_CHAOS_OUTAGE outages (30s), and writes the figures table to
// SOURCEFLOW_CHAOS_REPORT.
var chaosShort = chaosSize{orders: 300, entities: 30, outage: 6 * time.Second, rate: 30}

// chaosSize is how big a run is.
type chaosSize struct {
	orders, entities int
	outage           time.Duration // how long an outage or slow spell lasts
	rate             float64       // orders the driver sends per second
}

// chaosSizeFromEnv is chaosShort unless SOURCEFLOW_CHAOS_ORDERS or
// SOURCEFLOW_CHAOS_OUTAGE say otherwise; a full run sends at a tenth of
// its orders per second (ten thousand orders: 100 s of sending).
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
		s.outage = d
	}
	return s
}

// chaosScenario is one fault: extra flags for every instance, and inject,
// which runs once a fifth of the orders are paid and returns when the
// fault has ended.
type chaosScenario struct {
	name   string
	fault  string // the figures table's description
	flags  func(t *testing.T) []string
	inject func(t *testing.T, r *chaosRig)
}

// visibility is the SQS visibility timeout of every listened queue.
const visibility = 10 * time.Second

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
		name:  "aws-outage",
		fault: "AWS endpoint refuses connections for half the outage, then resets every response mid-way",
		inject: func(t *testing.T, r *chaosRig) {
			r.aws.refuse()
			r.sleep(r.size.outage / 2)
			r.aws.restore(t)
			remove := r.aws.toxic(t, "limit_data", "downstream", map[string]any{"bytes": 100})
			r.sleep(r.size.outage / 2)
			remove()
		},
	},
	{
		name:  "aws-slow-throttled",
		fault: "AWS endpoint throttles 20% of SQS, SNS and KMS calls (400 or 503), then also answers 12s late (visibility 10s); KMS encryption on",
		flags: func(t *testing.T) []string {
			return []string{"-kms-key", encCreateKey(t, kms.NewFromConfig(awsConfig(t)))}
		},
		inject: func(t *testing.T, r *chaosRig) {
			r.front.setShare(0.2)
			r.sleep(r.size.outage)
			require.Positive(t, r.front.bySQS.Load(), "SQS calls throttled")
			require.Positive(t, r.front.bySNS.Load(), "SNS calls throttled")
			remove := r.aws.toxic(t, "latency", "downstream", map[string]any{"latency": (visibility + 2*time.Second).Milliseconds()})
			r.sleep(r.size.outage)
			remove()
			r.front.setShare(0)
		},
	},
	{
		name:  "db-outage",
		fault: "PostgreSQL (stores, idempotency) refuses connections and drops open ones",
		inject: func(t *testing.T, r *chaosRig) {
			r.pg.refuse()
			r.sleep(r.size.outage)
			r.pg.restore(t)
		},
	},
	{
		name:  "sigterm",
		fault: "an orders instance and the only payments instance stopped (SIGTERM) under load and restarted",
		inject: func(t *testing.T, r *chaosRig) {
			for _, name := range []string{"orders-2", "payments-1"} {
				r.stopInstance(t, name)
			}
			r.start(t, "orders-2", "payments-1")
		},
	},
	{
		name:  "slow-handlers",
		fault: "every 20th CreateOrder handling takes 12s (visibility 10s)",
		flags: func(*testing.T) []string {
			return []string{"-slow-every", "20", "-slow-handler", (visibility + 2*time.Second).String()}
		},
	},
}

func TestChaos(t *testing.T) {
	size := chaosSizeFromEnv(t)
	bin := filepath.Join(t.TempDir(), "orders")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/sourceflow-go/sourceflow/examples/orders").CombinedOutput()
	require.NoError(t, err, "build examples/orders: %s", out)
	var rows []chaosFigures
	for _, sc := range chaosScenarios {
		t.Run(sc.name, func(t *testing.T) {
			f := runChaos(t, bin, sc, size)
			f.scenario, f.fault = sc.name, sc.fault
			t.Logf("%s: %s", sc.name, f)
			rows = append(rows, f)
		})
	}
	table := chaosTable(size, rows)
	t.Log("\n" + table)
	if path := os.Getenv("SOURCEFLOW_CHAOS_REPORT"); path != "" {
		require.NoError(t, os.WriteFile(path, []byte(table), 0o644))
	}
}

// chaosInstances are the service instances of a run, by name (role-i).
var chaosInstances = []string{"payments-1", "orders-1", "orders-2"}

// roleOf is the -role of an instance name.
func roleOf(name string) string {
	role, _, _ := strings.Cut(name, "-")
	return role
}
