package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRunProcessesEveryOrderInProcess(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL", "")
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"-n", "25", "-senders", "4"}, &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	for _, want := range []string{
		"transport:          gochannel", "orders created:     25", "payments processed: 25",
		"views updated:      50", "orders completed:   25",
	} {
		assert.Contains(t, out.String(), want)
	}
}

func TestHelpExitsZero(t *testing.T) {
	var out, errOut bytes.Buffer
	assert.Equal(t, 0, run(context.Background(), []string{"-h"}, &out, &errOut))
	assert.Contains(t, errOut.String(), "-role")
	assert.Empty(t, out.String())
}

func TestRunRejectsBadFlags(t *testing.T) {
	t.Setenv("SOURCEFLOW_STORE_DSN", "")
	t.Setenv("SOURCEFLOW_POSTGRES_DSN", "")
	for _, args := range [][]string{
		{"-n", "0"}, {"-transport", "carrier-pigeon"}, {"-senders", "0"}, {"-bogus"},
		{"-store", "floppy"}, {"-role", "cashier"}, {"-queues", "lifo"}, {"-entities", "-1"}, {"-n", "5", "-entities", "6"}, {"-stall", "-1s"}, {"-rate", "-1"}, {"-slow-every", "5"}, {"-slow-handler", "1s"},
		{"-role", "orders", "-transport", "gochannel", "-store", "postgres", "-dsn", "postgres://x"},
		{"-role", "driver", "-transport", "aws", "-store", "memory"},
		{"-store", "postgres", "-dsn", ""},
		{"-transport", "postgres"}, {"-transport", "postgres", "-store", "sqlite", "-dsn", "postgres://x"},
		{"-transport", "gochannel", "-write-topology", "dir"}, {"-transport", "gochannel", "-provisioning", "validate"},
		{"-transport", "aws", "-provisioning", "maybe"},
	} {
		var out, errOut bytes.Buffer
		assert.Equal(t, 2, run(context.Background(), args, &out, &errOut), args)
		assert.NotEmpty(t, errOut.String())
		assert.Empty(t, out.String())
	}
}

func TestEachOrderIsOneTraceAcrossEveryHop(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL", "")
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"-n", "10", "-print-traces"}, &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	assert.Contains(t, out.String(), "traces:             10\n")
	assert.Contains(t, out.String(), "8 spans (process order-events, process orders.fifo, process payment-events, "+
		"process payments.fifo, send order-events, send orders.fifo, send payment-events, send payments.fifo)")
	assert.Contains(t, out.String(), "consume: recover(recover) → tracing(correlation, tracing) → metrics(metrics)")
	// Without a KMS key nothing encrypts: the pipeline line names no
	// decrypt or encrypt phase.
	assert.Contains(t, out.String(), "idempotency(memory) → retry(retry) → handler; "+
		"produce: correlation(correlation) → tracing(tracing) → metrics(metrics, circuit-breaker) → transport\n")
}

func TestMetricsAndHealthAreServedWhileRunning(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL", "")
	opts, err := parseFlags([]string{"-n", "15", "-metrics-addr", "127.0.0.1:0", "-health-details", "-linger", "1m"}, io.Discard)
	require.NoError(t, err)
	obs, err := newObservability(opts)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := runFlow(ctx, ctx, opts, obs)
		done <- err
	}()
	base := "http://" + obs.addr
	var scrape string
	require.Eventually(t, func() bool {
		status, body, err := fetch(base + "/metrics")
		scrape = body
		// A send is counted when its Publish returns, which on the in-process
		// transport is after the flow it started: wait for every instrument.
		return err == nil && status == http.StatusOK &&
			strings.Contains(scrape, `sourceflow_aws_message_processed_total{`) &&
			strings.Contains(scrape, `sourceflow_type="payments.PaymentProcessed"`) &&
			strings.Contains(scrape, `sourceflow_aws_command_dispatched_total{`) &&
			strings.Contains(scrape, `sourceflow_aws_event_published_total{`) &&
			strings.Contains(scrape, `sourceflow_publish_circuit_state{`)
	}, 10*time.Second, 20*time.Millisecond, "every instrument is served")
	assert.Contains(t, scrape, `sourceflow_publish_circuit_state{messaging_destination_name="orders.fifo"`)
	assert.Contains(t, scrape, `otel_scope_name="SourceFlow.Cloud.AWS"`)
	assert.Contains(t, scrape, "sourceflow_handler_retries_total{", "the Retry middleware's counts are exported")
	assert.Contains(t, scrape, "sourceflow_handler_give_ups_total{")
	status, health, err := fetch(base + "/healthz")
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, health, `"up":true`)
	assert.Contains(t, health, `{"destination":"orders.fifo","state":"closed"}`, "the publish circuits are reported")
	cancel()
	require.NoError(t, <-done)
}

// fetch returns the status and body of a GET; it never fails the test, so
// it may run inside require.Eventually.
func fetch(url string) (int, string, error) {
	resp, err := http.Get(url) //nolint:noctx // a test against a local server
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

func TestWriteTopologyWritesEachServicesFileWithoutAWS(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1") // nothing listens: any AWS call would fail
	t.Setenv("AWS_REGION", "eu-west-1")
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"-transport", "aws", "-prefix", "t1-", "-kms-key", "alias/t1",
		"-visibility-timeout", "40s", "-write-topology", dir}, &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	for _, svc := range []string{"orders", "payments"} {
		path := filepath.Join(dir, svc+".topology.yaml")
		assert.Contains(t, out.String(), "wrote "+path)
		plan := readPlan(t, path)
		assert.Equal(t, svc, plan.Service)
		assert.Equal(t, "alias/t1", plan.KMSKeyID)
		d, ok := plan.Destination("t1-" + svc + ".fifo")
		require.True(t, ok, "%s: %+v", svc, plan.Destinations)
		assert.True(t, d.Listened, "%s consumes its command queue", svc)
		for _, q := range plan.Queues {
			if q.Owned {
				assert.Equal(t, "40", q.Attributes["VisibilityTimeout"], "%s: %s", svc, q.Name)
			}
		}
	}
}
