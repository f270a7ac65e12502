//go:build integration

package integration

import (
	"database/sql"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// TestCLISQLRedrive_SelectsAcrossPages: redrive --reason over more dead
// letters than one page moves every one that matches, on every page, and
// leaves the others in order.
func TestCLISQLRedrive_SelectsAcrossPages(t *testing.T) {
	eachSQLBusDialect(t, func(t *testing.T, d sourceflow.Dialect, db *sql.DB) {
		r := newCLISQLRig(t, d, db)
		worker := r.startWorker()
		r.send("p-1")
		r.waitDepth(0, 1, "the command is dead-lettered")
		require.NoError(t, worker.Close())
		want := r.deadIDs()
		for i := range 250 {
			id, reason := fmt.Sprint("m-", i), "even"
			if i%2 == 1 {
				reason = "odd"
			}
			r.writeDeadLetter(id, []byte(`{}`), fmt.Sprintf(`{"sf_type":"orders.PlaceOrder","sf_id":%q,"sf_failure":%q}`, id, reason))
			if reason == "even" {
				want = append(want, id)
			}
		}
		out, errOut, code := r.sql("redrive", "--destination", r.queue, "--reason", "odd")
		require.Equal(t, cli.ExitOK, code, errOut)
		assert.Contains(t, out, "125 dead letters whose reason contains \"odd\"")
		assert.Contains(t, out, "would be moved back, 126 left.")
		out, errOut, code = r.sql("redrive", "--destination", r.queue, "--reason", "odd", "--yes")
		require.Equal(t, cli.ExitOK, code, errOut)
		assert.Contains(t, out, "Moved 125 dead letters whose reason contains \"odd\"")
		assert.Contains(t, out, "; 126 left.\n")
		assert.Equal(t, want, r.deadIDs(), "the others stay, in order")
	})
}
