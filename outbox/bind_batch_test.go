package outbox_test

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// A graceful Close or a crash re-forwards the rows of the forwarder's current
// batch already forwarded (their offsets are acknowledged when the batch is
// done), so the forwarder reads small batches: 10 rows, as sqlbus does.
func TestForwarderReadsTenRowsPerQuery(t *testing.T) {
	limit := regexp.MustCompile(`(?s)watermill_outbox_svc.*LIMIT\s+(\d+)\s*;?\s*$`)
	for _, d := range []sourceflow.Dialect{sourceflow.Postgres, sourceflow.MySQL} {
		t.Run(string(d), func(t *testing.T) {
			f := fakeDB("")
			box := newFakeBox(t, f, d, "")
			require.NoError(t, sqldbtest.Within(t, "Bind", func() error {
				return box.Bind(context.Background(), sourceflow.Binding{Service: "svc"})
			}))
			var polls []string
			require.Eventually(t, func() bool {
				polls = nil
				for _, q := range f.Ran("LIMIT") {
					if m := limit.FindStringSubmatch(q); m != nil {
						polls = append(polls, m[1])
					}
				}
				return len(polls) > 0
			}, sqldbtest.HangBound, 10*time.Millisecond, "the forwarder never polled the outbox")
			require.NoError(t, sqldbtest.Within(t, "Close", box.Close))
			for _, n := range polls {
				assert.Equal(t, "10", n, "rows per forwarder query")
			}
		})
	}
}
