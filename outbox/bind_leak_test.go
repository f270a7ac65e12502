package outbox_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
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
			before := sqldbtest.Goroutines("ThreeDotsLabs/watermill", "outbox.runForwarder")
			f := fakeDB(c.hangOn)
			box := newFakeBox(t, f, c.dialect, "")
			for range abortedBinds {
				require.Error(t, bindUntilItHangs(t, box, f, sourceflow.Binding{Service: "svc"}))
			}
			require.NoError(t, sqldbtest.Within(t, "Close after the aborted Binds", box.Close))
			require.Eventually(t, func() bool { return sqldbtest.Goroutines("ThreeDotsLabs/watermill", "outbox.runForwarder") <= before }, sqldbtest.HangBound, 10*time.Millisecond,
				"goroutines of the aborted Binds' forwarders are left: %d before, %d after", before, sqldbtest.Goroutines("ThreeDotsLabs/watermill", "outbox.runForwarder"))
		})
	}
}
