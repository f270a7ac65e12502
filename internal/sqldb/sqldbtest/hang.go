package sqldbtest

import (
	"runtime"
	"strings"
	"testing"
	"time"
)

// HangBound is how long Within waits before it reports a hang. It detects
// hangs; it is not a timing requirement.
const HangBound = 10 * time.Second

// Within runs fn and returns its error, failing the test when fn has not
// returned within HangBound.
func Within(t testing.TB, what string, fn func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		return err
	case <-time.After(HangBound):
		t.Fatalf("%s still running after %v", what, HangBound)
		return nil
	}
}

// Goroutines returns how many goroutines have any of anyOf in their stack.
func Goroutines(anyOf ...string) int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	count := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		for _, s := range anyOf {
			if strings.Contains(g, s) {
				count++
				break
			}
		}
	}
	return count
}
