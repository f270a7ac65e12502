package cqrs

import (
	"fmt"
	"testing"
)

// takenBack remembers at most maxTakenBack messages, forgetting the oldest
// first, and a count taken is forgotten.
func TestTakenBackIsBoundedAndForgetsTheOldest(t *testing.T) {
	var tb takenBack
	for i := range maxTakenBack + 5 {
		tb.add(fmt.Sprintf("m%d", i), 2)
	}
	tb.add("m10", 3) // recorded again: now among the newest
	for i := range maxTakenBack {
		tb.add(fmt.Sprintf("n%d", i%3), 1) // ids recorded again and again
	}
	if n := len(tb.counts); n > maxTakenBack {
		t.Fatalf("%d messages remembered, at most %d", n, maxTakenBack)
	}
	if len(tb.order) > 2*maxTakenBack {
		t.Fatalf("%d entries in order, at most %d", len(tb.order), 2*maxTakenBack)
	}
	if got := tb.take("m0"); got != 0 {
		t.Fatalf("the oldest message is remembered: %d", got)
	}
	if got := tb.take("m10"); got != 3 {
		t.Fatalf("m10 recorded again = %d, want 3", got)
	}
	if got := tb.take("m10"); got != 0 {
		t.Fatalf("a count taken is remembered: %d", got)
	}
	if got := tb.take(fmt.Sprintf("m%d", maxTakenBack+4)); got != 2 {
		t.Fatalf("the newest message = %d, want 2", got)
	}
}
