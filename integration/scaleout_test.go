//go:build integration

package integration

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cqrs/dynamostore"
	"github.com/sourceflow-go/sourceflow/cqrs/sqlstore"
	"github.com/sourceflow-go/sourceflow/internal/dynamo/dynamotest"
)

// Scale-out: examples/orders runs as separate processes (three orders and
// two payments instances) on SQS/SNS and one PostgreSQL store, one orders
// instance is killed mid-run and started again, and the shared state still
// equals what a single instance computes. The instances publish with a
// 20 ms linger, so concurrent handlings share SQS and SNS calls (about a
// third fewer calls on LocalStack, whose CPU bounds the run); the chaos runs
// keep the default of none.
// The run sends soOrders orders over soEntities entities (ten per entity,
// so the instances still race for each entity, and the kill still falls
// mid-run); SOURCEFLOW_SCALEOUT_ORDERS overrides the number of orders.
// `make scaleout` runs it at full size, 10,000 orders.
const (
	soOrders   = 2_000
	soEntities = 200
	soDeadline = 15 * time.Minute // the driver's -timeout, per variant (the package's is 50m)
	soStall    = 3 * time.Minute  // the driver gives up when no order completes for this long
)

// scaleoutOrders is the number of orders a variant sends.
func scaleoutOrders(t *testing.T) int {
	t.Helper()
	v := os.Getenv("SOURCEFLOW_SCALEOUT_ORDERS")
	if v == "" {
		return soOrders
	}
	n, err := strconv.Atoi(v)
	require.NoError(t, err, "SOURCEFLOW_SCALEOUT_ORDERS")
	require.GreaterOrEqual(t, n, soEntities, "SOURCEFLOW_SCALEOUT_ORDERS")
	return n
}

func TestScaleOut(t *testing.T) {
	dsn := postgresDSN(t)
	bin := buildOrders(t)
	n := scaleoutOrders(t)
	for _, queues := range []string{"fifo", "standard"} {
		t.Run(queues, func(t *testing.T) {
			runScaleOut(t, soRun{bin: bin, store: "postgres", dsn: dsn}, queues, n)
		})
	}
}

// soDynamoOrders is the number of orders of the DynamoDB variant: its
// emulator (moto, one request at a time) serves a few hundred requests a
// second, so the run is smaller than on PostgreSQL; each entity still gets
// several orders from instances racing for it.
const soDynamoOrders = 1000

// TestScaleOutOnDynamoDB is the scale-out run with DynamoDB as the only
// store: commands, saga state, views and idempotency records.
func TestScaleOutOnDynamoDB(t *testing.T) {
	endpoint := dynamodbEndpoint(t)
	bin := buildOrders(t)
	r := soRun{bin: bin, store: "dynamodb", env: []string{"AWS_ENDPOINT_URL_DYNAMODB=" + endpoint}}
	runScaleOut(t, r, "standard", soDynamoOrders) // standard queues: instances handle one entity at once
}

// soRun is one scale-out run: its flags and processes.
type soRun struct {
	bin, store, dsn, prefix, tablePrefix string
	env                                  []string // added to the processes' environment
	common                               []string
}

func runScaleOut(t *testing.T, r soRun, queues string, n int) {
	// LocalStack on a loaded machine now and then drops a connection; with
	// the SDK's 3 attempts such a blip fails a driver's send, which the run
	// counts against failed=0. Six attempts ride it out.
	r.env = append(r.env, "AWS_MAX_ATTEMPTS=6")
	name := uniqueName("so", "")
	r.prefix, r.tablePrefix = name+"-", strings.ReplaceAll(name, "-", "_")+"_"
	r.common = []string{"-transport", "aws", "-store", r.store, "-table-prefix", r.tablePrefix,
		"-queues", queues, "-prefix", r.prefix, "-visibility-timeout", "10s", "-publish-linger", "20ms"}
	if r.store == "postgres" {
		r.common = append(r.common, "-dsn", r.dsn, "-max-conns", "8")
	}
	instances := []*scaleoutProc{r.instance(t, "payments-1"), r.instance(t, "payments-2")}
	for i := 1; i <= 3; i++ {
		instances = append(instances, r.instance(t, fmt.Sprintf("orders-%d", i)))
	}
	began := time.Now()
	driver := startProcEnv(t, r.env, r.bin, "driver", append(r.common, "-role", "driver",
		"-n", strconv.Itoa(n), "-entities", strconv.Itoa(soEntities), "-senders", "16",
		"-timeout", soDeadline.String(), "-stall", soStall.String())...)
	// Kill an orders instance once some but not all orders are paid.
	line, _ := driver.waitLine(t, 0, soDeadline, func(l string) bool {
		c, ok := progressOf(l)
		return ok && c >= n/4
	})
	c, _ := progressOf(line)
	require.Less(t, c, n, "every order completed before the kill; the run shows nothing")
	instances[2].kill()
	t.Logf("killed %s (SIGKILL) at %d of %d orders completed, %s in", instances[2].name, c, n, time.Since(began).Round(time.Second))
	instances = append(instances, r.instance(t, "orders-1-restarted"))

	final, _ := driver.waitLine(t, 0, soDeadline+time.Minute, func(l string) bool { return strings.HasPrefix(l, "sent=") })
	driverErr := driver.wait(t, time.Minute)
	elapsed := time.Since(began)
	t.Logf("%s queues: %s (driver); elapsed %s", queues, final, elapsed.Round(time.Millisecond))
	if driverErr != nil {
		lines, _ := driver.linesSince(0)
		for _, l := range lines {
			if strings.HasPrefix(l, "mismatch:") {
				t.Log("driver:", l)
			}
		}
	}
	require.NoError(t, driverErr, "driver: %s", final)
	assert.Equal(t, fmt.Sprintf("sent=%d acked=%d failed=0 completed=%d lost=0 duplicated=0", n, n, n), final)

	for _, p := range instances[:2] {
		assert.NoError(t, p.stop(t, time.Minute), "graceful stop of %s", p.name)
	}
	for _, p := range instances[3:] {
		assert.NoError(t, p.stop(t, time.Minute), "graceful stop of %s", p.name)
	}
	rep := checkScaleOutState(t, r.openStore(t), expectScaleOut(r.prefix, n, soEntities))
	t.Logf("%s queues: sent / completed / lost / duplicated = %d / %d / %d / %d (state check; %d duplicate payment commands refused)",
		queues, n, rep.completed, n-rep.completed, rep.duplicated, rep.refused)
}

// instance starts one -role orders or payments process (named role-i) and
// waits until it listens.
func (r soRun) instance(t *testing.T, name string) *scaleoutProc {
	t.Helper()
	role, _, _ := strings.Cut(name, "-")
	p := startProcEnv(t, r.env, r.bin, name, append(r.common, "-role", role)...)
	p.waitLine(t, 0, 2*time.Minute, func(l string) bool { return strings.HasPrefix(l, "ready role="+role) })
	return p
}

// openStore opens the run's tables through cqrs/sqlstore or
// cqrs/dynamostore.
func (r soRun) openStore(t *testing.T) stateStores {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if r.store == "dynamodb" {
		st, err := dynamostore.New(ctx, dynamostore.Config{
			Client: dynamotest.Client(t), TablePrefix: r.tablePrefix, Provisioning: topology.ProvisionValidate,
		})
		require.NoError(t, err)
		return st
	}
	st, err := sqlstore.Open(ctx, sqlstore.Config{Dialect: sourceflow.Postgres, DSN: r.dsn, TablePrefix: r.tablePrefix, MaxOpenConns: 4})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, st.Close()) })
	return st
}

var progressLine = regexp.MustCompile(`^progress completed=(\d+) of \d+$`)

// progressOf parses the driver's "progress completed=N of M" lines.
func progressOf(line string) (int, bool) {
	m := progressLine.FindStringSubmatch(line)
	if m == nil {
		return 0, false
	}
	n, err := strconv.Atoi(m[1])
	return n, err == nil
}
