package main

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
)

// countedHealth is a health check that counts its rounds and reports
// what up says, with an error text naming resources.
func countedHealth(rounds *atomic.Int64, up *atomic.Bool) healthFunc {
	return func(context.Context) (bool, any) {
		rounds.Add(1)
		if up.Load() {
			return true, "up"
		}
		return false, map[string]any{"error": "arn:aws:sqs:eu-west-1:123456789012:orders.fifo: access denied"}
	}
}

// serveHealthWith serves one /healthz request of o.
func serveHealthWith(o *observability) (int, string) {
	rec := httptest.NewRecorder()
	o.serveHealth(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	return rec.Code, rec.Body.String()
}

// By default /healthz says only whether the instance is up: the checks'
// errors (ARNs, account id, database host) are shown with -health-details.
func TestHealthShowsItsDetailsOnlyWhenAsked(t *testing.T) {
	var rounds atomic.Int64
	var up atomic.Bool
	health := countedHealth(&rounds, &up)
	for details, want := range map[bool]string{
		false: `{"up":false}` + "\n",
		true:  `{"details":{"error":"arn:aws:sqs:eu-west-1:123456789012:orders.fifo: access denied"},"up":false}` + "\n",
	} {
		o := &observability{healthDetails: details}
		o.health.Store(&health)
		status, body := serveHealthWith(o)
		assert.Equal(t, http.StatusServiceUnavailable, status)
		assert.Equal(t, want, body, "-health-details=%v", details)
	}
}

// A burst of /healthz requests runs one round of checks (SQS, SNS, the
// store's database), whose report answers for healthCacheTTL; the next
// request after it runs a round again and sees a change.
func TestHealthRunsOneRoundPerTTL(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var rounds atomic.Int64
		var up atomic.Bool
		up.Store(true)
		health := countedHealth(&rounds, &up)
		o := &observability{}
		o.health.Store(&health)
		for range 50 {
			status, _ := serveHealthWith(o)
			assert.Equal(t, http.StatusOK, status)
		}
		assert.Equal(t, int64(1), rounds.Load(), "50 requests, one round")

		up.Store(false)
		time.Sleep(healthCacheTTL) // synctest: fake time
		status, _ := serveHealthWith(o)
		assert.Equal(t, http.StatusServiceUnavailable, status, "after the TTL the checks run again")
		assert.Equal(t, int64(2), rounds.Load())
	})
}

// Requests that arrive during a round wait for it and take its report,
// and the cancellation of the request that started the round does not cut
// it for the others.
func TestHealthRequestsDuringARoundShareIt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var rounds atomic.Int64
		release := make(chan struct{})
		health := healthFunc(func(ctx context.Context) (bool, any) {
			rounds.Add(1)
			<-release
			return ctx.Err() == nil, errors.Join(ctx.Err())
		})
		o := &observability{}
		o.health.Store(&health)
		const requests = 10
		codes := make(chan int, requests)
		serve := func(ctx context.Context) {
			rec := httptest.NewRecorder()
			o.serveHealth(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil).WithContext(ctx))
			codes <- rec.Code
		}
		first, cancelFirst := context.WithCancel(context.Background())
		go serve(first)
		synctest.Wait() // the first request runs the round
		for range requests - 1 {
			go serve(context.Background())
		}
		synctest.Wait() // the others wait for it
		cancelFirst()
		close(release)
		for range requests {
			assert.Equal(t, http.StatusOK, <-codes)
		}
		assert.Equal(t, int64(1), rounds.Load(), "one round for the concurrent requests")
	})
}
