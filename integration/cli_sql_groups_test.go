//go:build integration

package integration

import (
	"database/sql"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// TestCLISQL_GroupsRemoveWithoutYesRefusesAGroupThatIsNotThere: the dry
// run of groups --remove says what --yes would do, so for a group the
// destination does not have (a mistyped service) it exits 1 as --yes
// would, instead of saying it would remove it.
func TestCLISQL_GroupsRemoveWithoutYesRefusesAGroupThatIsNotThere(t *testing.T) {
	eachSQLBusDialect(t, func(t *testing.T, d sourceflow.Dialect, db *sql.DB) {
		r := newCLISQLRig(t, d, db)
		r.refusing.Store(false)
		r.startWorker()
		r.send("ok-1")
		r.waitDepth(0, 0, "the worker handled the command")

		out, errOut, code := r.sql("groups", "--destination", r.queue, "--remove", "clisql-wroker")
		assert.Equal(t, cli.ExitDrift, code, errOut)
		assert.Contains(t, errOut, "has no consumer group of service clisql-wroker")
		assert.NotContains(t, out, "Would remove")

		out, errOut, code = r.sql("groups", "--destination", r.queue, "--remove", "clisql-worker")
		assert.Equal(t, cli.ExitOK, code, errOut)
		assert.Contains(t, out, "Would remove the consumer group of service clisql-worker (0 messages ahead)")
	})
}

// TestCLISQL_GroupsRemoveDryRunFindsTheGroupTheDatabaseWouldRemove: the
// dry run of --remove with a service named in other letter case exits as
// --yes does, whichever way the offsets table compares names (bytes in a
// table this version creates; case-insensitively, by the default
// collation, in one created before).
func TestCLISQL_GroupsRemoveDryRunFindsTheGroupTheDatabaseWouldRemove(t *testing.T) {
	d := sourceflow.MySQL
	db := sqlbusDB(t, d, "SOURCEFLOW_MYSQL_DSN")
	r := newCLISQLRig(t, d, db)
	r.refusing.Store(false)
	r.startWorker()
	r.send("ok-1")
	r.waitDepth(0, 0, "the worker handled the command")

	_, dryErr, dry := r.sql("groups", "--destination", r.queue, "--remove", "CLISQL-WORKER")
	_, yesErr, yes := r.sql("groups", "--destination", r.queue, "--remove", "CLISQL-WORKER", "--yes")
	assert.Equal(t, yes, dry, "the dry run exits as --yes does (dry run: %q; --yes: %q)", dryErr, yesErr)
}

// TestCLISQL_GroupsShowsTheAgeOfTheOldestMessageAhead: groups shows, per
// consumer group with messages ahead, how long ago the oldest was written:
// a retired service's group has an old message ahead, a running one none.
func TestCLISQL_GroupsShowsTheAgeOfTheOldestMessageAhead(t *testing.T) {
	eachSQLBusDialect(t, func(t *testing.T, d sourceflow.Dialect, db *sql.DB) {
		r := newCLISQLRig(t, d, db)
		r.refusing.Store(false)
		retired := payWorker(t, r.cfg, "clisql-retired", r.queue, r.runs, &r.refusing)
		startModel(t, retired)
		require.NoError(t, retired.Close(), "the retired service stops for good before any command")
		r.startWorker()
		r.send("ok-1")
		r.waitDepth(0, 0, "the worker handled the command")
		hourAgo := `UPDATE "watermill_` + sqlbus.Topic(r.queue) + `" SET "created_at" = "created_at" - INTERVAL '1 hour'`
		if d == sourceflow.MySQL {
			hourAgo = "UPDATE `watermill_" + sqlbus.Topic(r.queue) + "` SET `created_at` = `created_at` - INTERVAL 1 HOUR"
		}
		_, err := db.Exec(hourAgo)
		require.NoError(t, err)

		out, errOut, code := r.sql("groups", "--destination", r.queue)
		require.Equal(t, cli.ExitOK, code, errOut)
		assert.Regexp(t, `(?m)^clisql-retired +1 +1h\d+m\d+s$`, out)
		assert.Regexp(t, `(?m)^clisql-worker +0 +-$`, out)
	})
}
