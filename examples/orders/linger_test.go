package main

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// -linger is "keep serving /metrics and /healthz this long after the run";
// -timeout is "how long to wait for every order to complete". A run that
// completes at once must linger the whole -linger, whatever -timeout is.
func TestLingerIsNotCutShortByTimeout(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL", "")
	var out, errOut bytes.Buffer
	began := time.Now()
	code := run(context.Background(), []string{"-n", "2", "-metrics-addr", "127.0.0.1:0", "-linger", "9s", "-timeout", "8s"}, &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	assert.GreaterOrEqual(t, time.Since(began), 9*time.Second, "served for %s only", time.Since(began))
}
