//go:build integration

package integration

import (
	"context"
	"database/sql"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// writeIncident writes the dead letters of an incident beside the rig's
// own: a timeout and a permanent failure of orders.PlaceOrder, an
// unimplemented orders.CancelOrder, and a timeout dead-lettered two hours
// ago.
func (r *cliSQLRig) writeIncident() {
	r.writeDeadLetter("timeout", []byte(`{}`), `{"sf_type":"orders.PlaceOrder","sf_id":"timeout","sf_failure":"inventory db: dial tcp 10.0.0.5:5432: i/o timeout"}`)
	r.writeDeadLetter("negative", []byte(`{}`), `{"sf_type":"orders.PlaceOrder","sf_id":"negative","sf_failure":"permanent: amount -5"}`)
	r.writeDeadLetter("cancel", []byte(`{}`), `{"sf_type":"orders.CancelOrder","sf_id":"cancel","sf_failure":"not implemented"}`)
	r.writeDeadLetter("old", []byte(`{}`), `{"sf_type":"orders.PlaceOrder","sf_id":"old","sf_failure":"inventory db: i/o timeout","sf_redrives":"1"}`)
	q := `UPDATE "watermill_` + sqlbus.DeadLetterTopic(r.queue) + `" SET "created_at" = "created_at" - INTERVAL '2 hours' WHERE "uuid" = 'old'`
	if r.d == sourceflow.MySQL {
		q = "UPDATE `watermill_" + sqlbus.DeadLetterTopic(r.queue) + "` SET `created_at` = `created_at` - INTERVAL 2 HOUR WHERE `uuid` = 'old'"
	}
	_, err := r.db.Exec(q)
	require.NoError(r.t, err)
}

// deadIDs returns the message ids of the rig's dead letters, in order.
func (r *cliSQLRig) deadIDs() []string {
	dead, _, err := sqlbus.DeadLetters(context.Background(), r.cfg, r.queue, sqlbus.DeadLetterQuery{Max: 1000})
	require.NoError(r.t, err)
	ids := make([]string, len(dead))
	for i, dl := range dead {
		ids[i] = dl.Message.Metadata.Get(sourceflow.MetaMessageID)
	}
	return ids
}

// TestCLISQLRedrive_MovesOnlyTheDeadLettersTheFiltersSelect: redrive
// --type, --reason, --after and --before move only the dead letters that
// match them all, each with one more redrive counted and without its
// reason, and leave the others where they were, in order; a filter that
// matches nothing moves nothing.
func TestCLISQLRedrive_MovesOnlyTheDeadLettersTheFiltersSelect(t *testing.T) {
	eachSQLBusDialect(t, func(t *testing.T, d sourceflow.Dialect, db *sql.DB) {
		r := newCLISQLRig(t, d, db)
		worker := r.startWorker()
		r.send("p-1")
		r.waitDepth(0, 1, "the command is dead-lettered")
		require.NoError(t, worker.Close(), "no consumer takes what is redriven: the destination's table keeps it")
		r.writeIncident()
		first := r.deadIDs()
		require.Len(t, first, 5)
		out, errOut, code := r.sql("dead-letters", "--destination", r.queue, "-o", "json")
		require.Equal(t, cli.ExitOK, code, errOut)
		assert.Contains(t, out, `"redrives": 1`, "a dead letter redriven before says so")

		out, errOut, code = r.sql("redrive", "--destination", r.queue, "--type", "orders.PlaceOrder", "--reason", "i/o timeout")
		require.Equal(t, cli.ExitOK, code, errOut)
		assert.Contains(t, out, `2 dead letters of type orders.PlaceOrder, whose reason contains "i/o timeout" of destination `+r.queue)
		assert.Contains(t, out, "would be moved back, 3 left. Nothing moved")

		out, errOut, code = r.sql("redrive", "--destination", r.queue, "--reason", "no such failure", "--yes")
		require.Equal(t, cli.ExitOK, code, errOut)
		assert.Equal(t, `Moved 0 dead letters whose reason contains "no such failure" back into destination `+r.queue+"; 5 left.\n", out)
		assert.Equal(t, first, r.deadIDs(), "a filter that matches nothing moves nothing")

		out, errOut, code = r.sql("redrive", "--destination", r.queue, "--type", "orders.PlaceOrder", "--reason", "i/o timeout", "--after", "1h", "--yes")
		require.Equal(t, cli.ExitOK, code, errOut)
		assert.Contains(t, out, "Moved 1 dead letter of type orders.PlaceOrder")
		assert.Contains(t, out, "; 4 left.\n")
		out, errOut, code = r.sql("redrive", "--destination", r.queue, "--before", "1h", "--yes")
		require.Equal(t, cli.ExitOK, code, errOut)
		assert.Contains(t, out, "Moved 1 dead letter dead-lettered before ")
		assert.Contains(t, out, "; 3 left.\n")

		assert.Equal(t, []string{first[0], "negative", "cancel"}, r.deadIDs(), "the others stay, in their order")
		back := map[string]map[string]string{}
		for _, meta := range sqlbusMetadata(t, d, db, r.queue) {
			back[meta[sourceflow.MetaMessageID]] = meta
		}
		require.Contains(t, back, "timeout")
		require.Contains(t, back, "old")
		assert.NotContains(t, back, "negative")
		assert.NotContains(t, back, "cancel")
		assert.Equal(t, "1", back["timeout"][sourceflow.MetaRedrives], "a redrive is counted")
		assert.Equal(t, "2", back["old"][sourceflow.MetaRedrives], "on top of the redrives before")
		assert.NotEmpty(t, back["old"][sourceflow.MetaRedrivenAt])
		assert.Empty(t, back["timeout"][sourceflow.MetaFailure])
	})
}
