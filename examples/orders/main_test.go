package main

import (
	"bytes"
	"context"
	"testing"

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

func TestRunRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{{"-n", "0"}, {"-transport", "carrier-pigeon"}, {"-senders", "0"}, {"-bogus"}} {
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
	assert.Contains(t, out.String(), "consume: recover(recover) → tracing(correlation, otel)")
}
