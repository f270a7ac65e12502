package main

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
)

// healthOf serves /healthz with up transports and a store whose backend's
// Check is check.
func healthOf(check func(ctx context.Context) error) (int, string) {
	transports := func(context.Context) (bool, any) { return true, map[string]any{"transport": "gochannel"} }
	health := withStoreHealth(transports, storeHealth("postgres", check))
	return serveHealthOf(health)
}

// serveHealthOf serves one /healthz request with health, with its details
// (-health-details).
func serveHealthOf(health healthFunc) (int, string) {
	o := &observability{healthDetails: true}
	o.health.Store(&health)
	rec := httptest.NewRecorder()
	o.serveHealth(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	return rec.Code, rec.Body.String()
}

// With a shared store, /healthz checks its database too: a failing Check
// makes it 503 with the reason, though the transports are up, instead of
// 200 while every message fails; a passing one 200.
func TestHealthIsDownWhileTheStoreCheckFails(t *testing.T) {
	status, body := healthOf(func(context.Context) error {
		return errors.New("sqlbackend: check: table missing: no such table: sourceflow_views")
	})
	assert.Equal(t, http.StatusServiceUnavailable, status, body)
	assert.Contains(t, body, `"up":false`)
	assert.Contains(t, body, `"store":{"error":"sqlbackend: check: table missing: no such table: sourceflow_views","status":"down","store":"postgres"}`)

	status, body = healthOf(func(context.Context) error { return nil })
	assert.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, `"store":{"status":"up","store":"postgres"}`)
	assert.Contains(t, body, `"transports":{"transport":"gochannel"}`)
}

// A database that takes the check and never answers makes /healthz 503
// within storeHealthTimeout.
func TestHealthIsDownWhenTheStoreDoesNotAnswer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		status, body := healthOf(func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() })
		assert.Equal(t, http.StatusServiceUnavailable, status, body)
		assert.Contains(t, body, `"error":"context deadline exceeded"`)
		assert.Equal(t, storeHealthTimeout, time.Since(start))
	})
}

// /livez, the liveness probe, answers 200 and calls no dependency, so an
// outage that keeps /healthz (readiness) at 503 restarts no instance.
func TestLivenessCallsNoDependency(t *testing.T) {
	o, err := newObservability(options{metricsAddr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = o.shutdown(context.Background()) })
	down := healthFunc(func(context.Context) (bool, any) { return false, "dynamodb down" })
	o.health.Store(&down)
	for path, want := range map[string]int{"/healthz": http.StatusServiceUnavailable, "/livez": http.StatusOK} {
		resp, err := http.Get("http://" + o.addr + path)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		assert.Equal(t, want, resp.StatusCode, path)
	}
}
