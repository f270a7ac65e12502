package cli_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

func TestDLQList_ShowsTheDepthOfEveryDeadLetterQueueWithItsSourceQueue(t *testing.T) {
	e := newDLQEnv(t)
	e.put(t, "orders-dlq.fifo", letter{id: "m1", typ: "orders.CreateOrder", entity: "o-1", reason: "boom", body: "{}"})
	e.put(t, "orders-dlq.fifo", letter{id: "m2", typ: "orders.CreateOrder", entity: "o-2", reason: "boom", body: "{}"})
	e.put(t, "orders-order-events-dlq", letter{id: "m3", typ: "orders.OrderCreated", entity: "o-1", reason: "boom", body: "{}"})

	out, errOut, code := e.run(t, "dlq", "list", "-f", e.path)

	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Regexp(t, `DEAD-LETTER QUEUE\s+SOURCE QUEUE\s+VISIBLE\s+IN FLIGHT\s`, out)
	assert.Regexp(t, `\norders-dlq\.fifo\s+orders\.fifo\s+2\s+0\s`, out)
	assert.NotContains(t, out, "payments-dlq.fifo", "owned by the payments service")
	assert.Regexp(t, `\norders-order-events-dlq\s+orders-order-events\s+1\s+0\s`, out)
	assert.Regexp(t, `\norders-payment-events-dlq\s+orders-payment-events\s+0\s+0\s`, out)
	assert.Contains(t, out, "Service orders in us-east-1: 3 dead letters in 3 dead-letter queues;")
}

func TestDLQList_AMissingDeadLetterQueueExitsOneAndSaysToApply(t *testing.T) {
	e := newDLQEnv(t)
	b := ordersBinding()
	b.Routes = append(b.Routes, sourceflow.Route{Type: "audit.Record", Kind: sourceflow.KindCommand, Destination: "audit"})
	b.Listeners = append(b.Listeners, sourceflow.Listener{Destination: "audit", Kind: sourceflow.KindCommand, Types: []string{"audit.Record"}})
	path := writeTopology(t, b, topology.Options{})

	out, errOut, code := e.run(t, "dlq", "list", "-f", path)

	assert.Equal(t, cli.ExitDrift, code)
	assert.Regexp(t, `\naudit-dlq\s+audit\s+missing\s+-\s+missing\s+-\n`, out)
	assert.Contains(t, errOut, "1 dead-letter queue and 1 source queue missing: run `sourceflow apply -f "+path+"`")
}

func TestDLQList_LeavesOutTheQueuesTheServiceOnlySendsTo(t *testing.T) {
	e := newDLQEnv(t)
	b := ordersBinding()
	b.Routes = append(b.Routes, sourceflow.Route{Type: "audit.Record", Kind: sourceflow.KindCommand, Destination: "audit"})
	path := writeTopology(t, b, topology.Options{})

	out, errOut, code := e.run(t, "dlq", "list", "-f", path)

	require.Equal(t, cli.ExitOK, code, errOut)
	assert.NotContains(t, out, "audit", "apply creates no dead-letter queue for a queue another service owns")
	assert.Contains(t, out, "in 3 dead-letter queues;")
}

func TestDLQList_AFailedAWSCallExitsThree(t *testing.T) {
	e := newDLQEnv(t)
	e.sqs.FailNext("GetQueueAttributes", 1, nil)

	_, errOut, code := e.run(t, "dlq", "list", "-f", e.path)

	assert.Equal(t, cli.ExitAWS, code)
	assert.Contains(t, errOut, "dlq list: read the attributes of queue orders-order-events-dlq: ")
	assert.Contains(t, errOut, "check the credentials")
	assert.Contains(t, errOut, "`sourceflow dlq --help` lists the permissions needed")
}

// -o json prints the same depths as the table, for scripts and alerts; a
// missing dead-letter queue is marked so, and still exits 1.
func TestDLQList_PrintsJSON(t *testing.T) {
	e := newDLQEnv(t)
	e.put(t, "orders-dlq.fifo", letter{id: "m1", typ: "orders.CreateOrder", entity: "o-1", reason: "boom", body: "{}"})
	b := ordersBinding()
	b.Routes = append(b.Routes, sourceflow.Route{Type: "audit.Record", Kind: sourceflow.KindCommand, Destination: "audit"})
	b.Listeners = append(b.Listeners, sourceflow.Listener{Destination: "audit", Kind: sourceflow.KindCommand, Types: []string{"audit.Record"}})
	path := writeTopology(t, b, topology.Options{})

	out, errOut, code := e.run(t, "dlq", "list", "-f", path, "-o", "json")

	assert.Equal(t, cli.ExitDrift, code, errOut)
	assert.JSONEq(t, `{"service":"orders","queues":[
		{"name":"audit-dlq","source":"audit","visible":0,"in_flight":0,"missing":true,
		 "source_ahead":0,"source_in_flight":0,"source_missing":true},
		{"name":"orders-order-events-dlq","source":"orders-order-events","visible":0,"in_flight":0,"missing":false,
		 "source_ahead":0,"source_in_flight":0,"source_missing":false},
		{"name":"orders-payment-events-dlq","source":"orders-payment-events","visible":0,"in_flight":0,"missing":false,
		 "source_ahead":0,"source_in_flight":0,"source_missing":false},
		{"name":"orders-dlq.fifo","source":"orders.fifo","visible":1,"in_flight":0,"missing":false,
		 "source_ahead":0,"source_in_flight":0,"source_missing":false}]}`, out)
	assert.Contains(t, errOut, "1 dead-letter queue and 1 source queue missing")

	_, errOut, code = e.run(t, "dlq", "list", "-f", path, "-o", "yaml")
	assert.Equal(t, cli.ExitUsage, code)
	assert.Contains(t, errOut, `--output "yaml": want table or json`)
}
