package cli_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

func TestDLQRedrive_RateLimitsBatchesOnTheClock(t *testing.T) {
	tests := []struct {
		rate        string
		wantBatches int
		wantWaits   []time.Duration
		wantText    string
	}{
		{"0", 1, nil, "no rate limit"},
		{"100/s", 1, nil, "at most 100 messages/s"},
		{"4/s", 3, []time.Duration{time.Second, time.Second}, "at most 4 messages/s"},
		{"2", 5, []time.Duration{time.Second, time.Second, time.Second, time.Second}, "at most 2 messages/s"},
	}
	for _, tt := range tests {
		t.Run(tt.rate, func(t *testing.T) {
			t.Parallel()
			e := newDLQEnv(t)
			for i := range 10 {
				e.put(t, "orders-order-events-dlq", letter{id: fmt.Sprint(i), typ: "orders.OrderCreated", entity: "o", reason: "boom", body: "{}"})
			}

			out, errOut, code := e.run(t, "dlq", "redrive", "-f", e.path, "--queue", "orders-order-events-dlq", "--method", "copy", "--rate", tt.rate)

			require.Equal(t, cli.ExitOK, code, errOut)
			assert.Contains(t, out, tt.wantText)
			assert.Contains(t, out, "Moved 10 messages")
			assert.Equal(t, tt.wantBatches, e.sqs.Calls("SendMessageBatch"))
			assert.Equal(t, tt.wantWaits, e.clock.Waits())
		})
	}
}

func TestDLQRedrive_MaxStopsACopy(t *testing.T) {
	t.Parallel()
	e := newDLQEnv(t)
	for i := range 5 {
		e.put(t, "orders-dlq.fifo", letter{id: fmt.Sprint(i), typ: "orders.CreateOrder", entity: fmt.Sprint("o-", i), reason: "boom", body: "{}"})
	}

	out, errOut, code := e.run(t, "dlq", "redrive", "-f", e.path, "--queue", "orders-dlq.fifo", "--max", "2")

	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "Moved 2 messages")
	assert.Contains(t, out, "Stopped at --max 2; run the command again to move more.\n")
	assert.Len(t, e.messages("orders.fifo"), 2)
	assert.Len(t, e.messages("orders-dlq.fifo"), 3)

	e.put(t, "orders-order-events-dlq", letter{id: "e-1", typ: "orders.OrderCreated", entity: "o-1", reason: "boom", body: "{}"})
	out, _, code = e.run(t, "dlq", "redrive", "-f", e.path, "--queue", "orders-order-events-dlq", "--max", "2")
	assert.Equal(t, cli.ExitOK, code)
	assert.Contains(t, out, "by copy (--max stops a copy, not a move task)", "auto copies a standard queue when --max is set")
}

func TestDLQRedrive_UsageAndMissingQueueErrors(t *testing.T) {
	e := newDLQEnv(t)
	// An --after an hour ahead of this machine's clock, which dlq redrive
	// counts --before 10m back from: the range is empty.
	ahead := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"bad rate", []string{"--queue", "orders.fifo", "--rate", "fast"}, cli.ExitUsage, `--rate "fast": want messages per second as N/s`},
		{"negative max", []string{"--queue", "orders.fifo", "--max", "-1"}, cli.ExitUsage, "--max -1: want 0 (all) or more"},
		{"bad method", []string{"--queue", "orders.fifo", "--method", "teleport"}, cli.ExitUsage, `--method "teleport": want auto, native or copy`},
		{"native with max", []string{"--queue", "orders-order-events", "--method", "native", "--max", "5"}, cli.ExitUsage,
			"the native method moves every message; use --method copy"},
		{"native above 500/s", []string{"--queue", "orders-order-events", "--method", "native", "--rate", "900/s"}, cli.ExitUsage,
			"the native method moves at most 500/s"},
		{"unknown queue", []string{"--queue", "nope"}, cli.ExitUsage, "dead-letter queues are: orders-order-events-dlq, "},
		{"empty range", []string{"--queue", "orders-order-events-dlq", "--after", ahead, "--before", "10m"}, cli.ExitUsage,
			"is not before --before 10m: no dead letter can match"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errOut, code := e.run(t, append([]string{"dlq", "redrive", "-f", e.path}, tt.args...)...)
			assert.Equal(t, tt.code, code, errOut)
			assert.Contains(t, errOut, tt.want)
		})
	}
	assert.Zero(t, e.sqs.Calls("ReceiveMessage"), "nothing received on a usage error")

	// A queue the service consumes, not applied yet.
	b := ordersBinding()
	b.Routes = append(b.Routes, sourceflow.Route{Type: "audit.Record", Kind: sourceflow.KindCommand, Destination: "audit"})
	b.Listeners = append(b.Listeners, sourceflow.Listener{Destination: "audit", Kind: sourceflow.KindCommand, Types: []string{"audit.Record"}})
	path := writeTopology(t, b, topology.Options{})
	_, errOut, code := e.run(t, "dlq", "redrive", "-f", path, "--queue", "audit")
	assert.Equal(t, cli.ExitDrift, code)
	assert.Contains(t, errOut, "queue audit-dlq: queue does not exist: run `sourceflow apply -f "+path+"` to create it")
}
