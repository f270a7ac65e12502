//go:build integration

package integration

import (
	"fmt"
	"testing"
	"time"
)

// TestFaultSQLBusSilentConnectionStallsConsumers: two instances on sqlbus
// with the SQL stores; the database's open connections go silent for good
// (what is sent on them is dropped, they stay open, as behind a proxy or
// load balancer after a failover) while new connections work. A
// subscription's poll (watermill-sql's BeginTx and SELECT) has no
// deadline, Config.AckDeadline bounding only the handling of a row, so
// each instance's poll waits on its silent connection forever: the
// commands sent before and after (their sends succeed on new connections)
// are never handled, and nothing reports it. The poll should end within a
// bound and the subscription poll again on a new connection.
func TestFaultSQLBusSilentConnectionStallsConsumers(t *testing.T) {
	for _, tc := range sqlbusDialects {
		t.Run(string(tc.dialect), func(t *testing.T) {
			r := newFaultRig(t, tc.dialect, tc.env, 16, nil)
			for i := range 4 {
				r.send(t, i%2, fmt.Sprintf("before-%d", i))
			}
			t.Logf("froze %d connections", r.freeze.freeze())
			time.Sleep(2 * time.Second) // the fault: polls meet the silent connections
			for i := range 4 {
				r.send(t, i%2, fmt.Sprintf("after-%d", i))
			}
			r.assertEachOnce(t, []string{"before-0", "before-1", "before-2", "before-3", "after-0", "after-1", "after-2", "after-3"})
			for i, in := range r.insts {
				t.Logf("instance %d pool: %+v", i, in.db.Stats())
			}
		})
	}
}
