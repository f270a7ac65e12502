package cqrs

import (
	"context"
	"runtime"
	"testing"
	"time"
	"weak"

	"github.com/stretchr/testify/assert"
)

// TestADrainedDeliveryContextIsReleasedWhenItsSubscriptionEnds: the
// delivery context of a draining subscription ends drain after the
// subscription's context does; once the subscription ended (its stop
// function called), the drain's timer no longer keeps that context, and
// what its parent holds, reachable until the drain would have run out (a
// closed service's subscriptions were kept for CloseTimeout).
func TestADrainedDeliveryContextIsReleasedWhenItsSubscriptionEnds(t *testing.T) {
	released := make([]weak.Pointer[drainHeld], 20)
	for i := range released {
		released[i] = endDrainingSubscription()
	}
	kept := func() (n int) {
		runtime.GC()
		for _, r := range released {
			if r.Value() != nil {
				n++
			}
		}
		return n
	}
	// A callback of a context's end yet to run may hold it a while.
	assert.Eventually(t, func() bool { return kept() == 0 }, 5*time.Second, 10*time.Millisecond,
		"the drain's timers keep ended subscriptions' contexts reachable")
}

type drainHeld struct{ _ [64]byte }

// endDrainingSubscription ends a subscription's context, waits until a
// callback of that end registered after the drain's has run (the drain's
// timer, started by its own callback, has as a rule started by then; the
// test repeats this. testing/synctest would tell for sure, but its bubble
// keeps the contexts made in it reachable), ends the subscription and
// returns a weak pointer to a value of its context.
func endDrainingSubscription() weak.Pointer[drainHeld] {
	type key struct{}
	h := new(drainHeld)
	ctx, cancel := context.WithCancel(context.WithValue(context.Background(), key{}, h))
	_, stop := redelivery{drain: time.Hour}.deliveryContext(ctx)
	ran := make(chan struct{})
	context.AfterFunc(ctx, func() { close(ran) })
	cancel()
	<-ran
	stop()
	return weak.Make(h)
}
