//go:build integration

package main

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The unchanged service code runs on SQS and SNS: every order completes and
// is one trace across the four hops.
func TestRunOnAWS(t *testing.T) {
	if os.Getenv("AWS_ENDPOINT_URL") == "" {
		t.Fatal("AWS_ENDPOINT_URL is not set; run `make test`, which starts LocalStack")
	}
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"-n", "20", "-print-traces"}, &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	for _, want := range []string{
		"transport:          aws", "orders created:     20", "payments processed: 20",
		"orders completed:   20", "traces:             20",
		"8 spans (process order-events, process orders.fifo, process payment-events, process payments.fifo, " +
			"send order-events, send orders.fifo, send payment-events, send payments.fifo)",
	} {
		assert.Contains(t, out.String(), want)
	}
}
