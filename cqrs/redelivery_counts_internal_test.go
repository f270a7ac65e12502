package cqrs

import (
	"fmt"
	"testing"
)

// deliveryCounts keeps at most maxCounted messages, forgetting the oldest
// first; a count only grows, and a settled message is forgotten.
func TestDeliveryCountsAreBoundedAndForgetTheOldest(t *testing.T) {
	var c deliveryCounts
	for i := range maxCounted + 5 {
		c.handed(fmt.Sprintf("m%d", i), 2)
	}
	c.handed("m10", 3) // counted again: now among the newest
	c.handed("m10", 1) // a delivery still running beside a later one
	for i := range 2 * maxCounted {
		c.handed(fmt.Sprintf("n%d", i%3), i+1) // ids counted again and again
	}
	if n := len(c.counts); n > maxCounted {
		t.Fatalf("%d messages counted, at most %d", n, maxCounted)
	}
	if len(c.order) > 2*maxCounted {
		t.Fatalf("%d entries in order, at most %d", len(c.order), 2*maxCounted)
	}
	if got := c.prior("m0"); got != 0 {
		t.Fatalf("the oldest message is counted: %d", got)
	}
	if got := c.prior("m10"); got != 3 {
		t.Fatalf("m10 = %d, want 3: a count only grows", got)
	}
	c.settled("m10")
	if got := c.prior("m10"); got != 0 {
		t.Fatalf("a settled message is counted: %d", got)
	}
	if got := c.prior(fmt.Sprintf("m%d", maxCounted+4)); got != 2 {
		t.Fatalf("the newest message = %d, want 2", got)
	}
}
