//go:build integration

package integration

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// frozenPollBound is the rig's AckDeadline, and so the bound of each call
// of a poll (twice that for the wait for the group's lock): above the
// rig's redelivery pauses (10.22s), which must stay below it; the test
// waits for the payments three bounds and two minutes: recovery takes one
// to three bounds, and the rest is room for a loaded machine, spent only
// by a run that fails.
const frozenPollBound = 15 * time.Second

// TestFaultSQLBusSilentConnectionStallsConsumers: two instances on sqlbus
// with the SQL stores; the database's open connections go silent for good
// (what is sent on them is dropped, they stay open, as behind a proxy or
// load balancer after a failover) while new connections work. A
// subscription's poll (watermill-sql's BeginTx and SELECT) had no
// deadline, Config.AckDeadline bounding only the handling of a row, so
// each instance's poll waited on its silent connection forever: the
// commands sent before and after (their sends succeed on new connections)
// were never handled, and nothing reported it. Each call of a poll is now
// bounded (by AckDeadline, frozenPollBound here): the stuck poll ends,
// logging at error level what the database did not answer, the pool's
// idle connections that went silent too are dropped, and the subscription
// polls again on a new connection, within the bound and a few seconds.
func TestFaultSQLBusSilentConnectionStallsConsumers(t *testing.T) {
	for _, tc := range sqlbusDialects {
		t.Run(string(tc.dialect), func(t *testing.T) {
			logs := watermill.NewCaptureLogger()
			r := newFaultRig(t, tc.dialect, tc.env, 16, func(c *sqlbus.Config) {
				c.Logger = logs
				c.AckDeadline = frozenPollBound
			})
			for i := range 4 {
				r.send(t, i%2, fmt.Sprintf("before-%d", i))
			}
			t.Logf("froze %d connections", r.freeze.freeze())
			require.Eventually(t, r.freeze.droppedAny, time.Minute, 10*time.Millisecond, "a poll met a silent connection")
			for i := range 4 {
				r.send(t, i%2, fmt.Sprintf("after-%d", i))
			}
			all := []string{"before-0", "before-1", "before-2", "before-3", "after-0", "after-1", "after-2", "after-3"}
			// A poll waiting for the group's lock on a silent connection is
			// cut at twice the bound, and the next may meet another silent
			// one: more than the 30s assertEachOnce waits for a payment.
			// The wait is generous: a passing run ends when the payments are
			// stored, so only a failing one spends it.
			require.EventuallyWithT(t, func(c *assert.CollectT) {
				for _, e := range all {
					_, found, err := r.check.Load(context.Background(), e)
					require.NoError(c, err)
					require.True(c, found, e)
				}
			}, 3*frozenPollBound+2*time.Minute, 10*time.Millisecond, "every payment stored")
			r.assertEachOnce(t, all)
			assert.True(t, loggedNoAnswer(logs), "the cut poll logged at error level")
			for i, in := range r.insts {
				t.Logf("instance %d pool: %+v", i, in.db.Stats())
			}
		})
	}
}

// loggedNoAnswer reports whether logs hold an error saying a poll's call
// got no answer from the database.
func loggedNoAnswer(logs *watermill.CaptureLoggerAdapter) bool {
	for _, m := range logs.Captured()[watermill.ErrorLogLevel] {
		if m.Err != nil && strings.Contains(m.Err.Error(), "the database did not answer its ") {
			return true
		}
	}
	return false
}
