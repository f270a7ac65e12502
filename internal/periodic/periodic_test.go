package periodic_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/sourceflow-go/sourceflow/internal/periodic"
)

func TestRunCallsUntilStopped(t *testing.T) {
	stop := make(chan struct{})
	done := make(chan struct{})
	var calls atomic.Int64
	go func() {
		defer close(done)
		periodic.Run(stop, time.Millisecond, func() { calls.Add(1) })
	}()
	deadline := time.Now().Add(5 * time.Second)
	for calls.Load() < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("fn called %d times in 5s, want at least 3", calls.Load())
		}
		time.Sleep(time.Millisecond)
	}
	close(stop)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after stop was closed")
	}
	after := calls.Load()
	time.Sleep(10 * time.Millisecond)
	if got := calls.Load(); got != after {
		t.Errorf("fn called %d more times after Run returned", got-after)
	}
}
