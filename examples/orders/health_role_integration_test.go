//go:build integration

package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An instance of one service reports healthy on /healthz: the transport of
// the service it does not run is never bound and is left out of the report.
func TestRoleInstanceServesHealthyOnAWS(t *testing.T) {
	if os.Getenv("AWS_ENDPOINT_URL") == "" {
		t.Fatal("AWS_ENDPOINT_URL is not set; run `make test`, which starts LocalStack")
	}
	for _, role := range []string{"orders", "payments"} {
		t.Run(role, func(t *testing.T) {
			addr := freeAddr(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var out, errOut bytes.Buffer
			done := make(chan int, 1)
			go func() {
				done <- run(ctx, []string{"-role", role, "-transport", "aws", "-store", "sqlite",
					"-dsn", filepath.Join(t.TempDir(), "orders.db"), "-prefix", runPrefix(), "-metrics-addr", addr, "-health-details"}, &out, &errOut)
			}()
			var status int
			var health string
			assert.Eventually(t, func() bool {
				select {
				case code := <-done:
					done <- code
					return true
				default:
				}
				var err error
				status, health, err = fetch("http://" + addr + "/healthz")
				return err == nil && status == http.StatusOK
			}, 30*time.Second, 100*time.Millisecond, "the instance reports healthy")
			assert.Equal(t, http.StatusOK, status, health)
			assert.Contains(t, health, `"up":true`)
			assert.Contains(t, health, `"`+role+`":{"status":"up"`)
			assert.NotContains(t, health, "not bound")
			cancel()
			assert.Equal(t, 0, <-done, errOut.String())
		})
	}
}

// freeAddr returns a local address no listener holds right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}
