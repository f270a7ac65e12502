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
	called := make(chan struct{}, 1)
	var calls, running atomic.Int64
	go func() {
		defer close(done)
		periodic.Run(stop, time.Millisecond, func() {
			running.Add(1)
			calls.Add(1)
			running.Add(-1)
			select {
			case called <- struct{}{}:
			default:
			}
		})
	}()
	timeout := time.After(5 * time.Second)
	for range 3 {
		select {
		case <-called:
		case <-timeout:
			t.Fatalf("fn called %d times in 5s, want at least 3", calls.Load())
		}
	}
	close(stop)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after stop was closed")
	}
	if running.Load() != 0 {
		t.Error("Run returned while fn was running")
	}
}
