package outbox_test

import (
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
)

// abortedBinds is how many Binds TestAbortedBindsLeaveNoGoroutines aborts.
const abortedBinds = 5

// A service retrying Bind with short timeouts while the forwarder's offsets
// row cannot be written (a lock, a server that stopped answering) must not
// leave a forwarder, its router or its subscriber behind per attempt.
func TestAbortedBindsLeaveNoGoroutines(t *testing.T) {
	cases := []struct {
		dialect sourceflow.Dialect
		hangOn  string // the statement creating or looking for the offsets row
	}{
		{sourceflow.Postgres, "ON CONFLICT DO NOTHING"},
		{sourceflow.MySQL, "SELECT 1 FROM"},
	}
	for _, c := range cases {
		t.Run(string(c.dialect), func(t *testing.T) {
			before := forwarderGoroutines()
			box := newFakeBox(t, fakeDB(c.hangOn), c.dialect, "")
			for range abortedBinds {
				require.Error(t, bindBriefly(t, box, sourceflow.Binding{Service: "svc"}))
			}
			require.NoError(t, within(t, "Close after the aborted Binds", box.Close))
			require.Eventually(t, func() bool { return forwarderGoroutines() <= before }, hangBound, 10*time.Millisecond,
				"goroutines of the aborted Binds' forwarders are left: %d before, %d after", before, forwarderGoroutines())
		})
	}
}

// forwarderGoroutines returns how many goroutines run Watermill's or the
// outbox forwarder's code.
func forwarderGoroutines() int {
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
		if strings.Contains(g, "ThreeDotsLabs/watermill") || strings.Contains(g, "outbox.runForwarder") {
			count++
		}
	}
	return count
}
