//go:build integration

package integration

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// sqlbusDSN returns the DSN of the database of d.
func sqlbusDSN(t *testing.T, d sourceflow.Dialect) string {
	t.Helper()
	for _, tc := range sqlbusDialects {
		if tc.dialect == d {
			return os.Getenv(tc.env)
		}
	}
	t.Fatalf("no database for %s", d)
	return ""
}

// distinctSet returns ids once each.
func distinctSet(ids []string) map[string]bool {
	set := map[string]bool{}
	for _, id := range ids {
		set[id] = true
	}
	return set
}

// cliSQLRig is a destination whose worker refuses (sourceflow.Permanent)
// the commands of entities other than "ok" while refusing is set, and the
// sql commands on its database.
type cliSQLRig struct {
	t        *testing.T
	d        sourceflow.Dialect
	db       *sql.DB
	cfg      sqlbus.Config
	queue    string
	dsn      string
	runs     *ledger
	refusing atomic.Bool
	refused  map[string]bool // message ids of the commands refused
}

func newCLISQLRig(t *testing.T, d sourceflow.Dialect, db *sql.DB) *cliSQLRig {
	r := &cliSQLRig{t: t, d: d, db: db, cfg: sqlbusConfig(d, db), queue: sqlbusName("clisql", ""), dsn: sqlbusDSN(t, d),
		runs: &ledger{}, refused: map[string]bool{}}
	dropSQLBusTables(t, d, db, r.queue)
	r.cfg.PruneInterval = -1 // only the command prunes
	r.refusing.Store(true)
	return r
}

// sql runs the sql command args on the rig's database.
func (r *cliSQLRig) sql(args ...string) (string, string, int) {
	return runCLI(r.t, append(append([]string{"sql"}, args...), "--dsn", r.dsn)...)
}

// service builds a service that sends PayOrder to the rig's destination.
func (r *cliSQLRig) service(name string, listen ...string) *cqrs.Service {
	svc := sqlbusService(r.t, r.cfg, cqrs.ServiceConfig{Name: name, Listen: listen,
		HandlerMiddleware: []message.HandlerMiddleware{memoryIdempotency(r.t)}})
	require.NoError(r.t, cqrs.RegisterCommand[PayOrder](svc, "model.PayOrder", r.queue))
	return svc
}

// send sends a command per entity from a service that does not listen.
func (r *cliSQLRig) send(entities ...string) {
	sender := r.service("clisql-sender")
	startModel(r.t, sender)
	for _, entity := range entities {
		env, err := cqrs.NewAggregate(sender, "payment").Send(context.Background(), entity, PayOrder{Amount: 1})
		require.NoError(r.t, err)
		if entity != "ok" {
			r.refused[env.MessageID] = true
		}
	}
}

// startWorker starts the worker, which refuses while r.refusing is set.
func (r *cliSQLRig) startWorker() *cqrs.Service {
	worker := payWorker(r.t, r.cfg, "clisql-worker", r.queue, r.runs, &r.refusing)
	startModel(r.t, worker)
	return worker
}

// waitDepth waits until the worker's group has ahead messages ahead and
// the destination dead dead letters.
func (r *cliSQLRig) waitDepth(ahead, dead int64, msg string) {
	require.EventuallyWithT(r.t, func(c *assert.CollectT) {
		got, err := sqlbus.Depths(context.Background(), r.cfg, "clisql-worker", r.queue)
		require.NoError(c, err)
		require.Len(c, got, 2)
		assert.Equal(c, ahead, got[0].Visible)
		assert.Equal(c, dead, got[1].Visible)
	}, 30*time.Second, 10*time.Millisecond, msg)
}

// writeDeadLetter writes a row straight into the destination's dead-letter
// table, as a foreign writer might.
func (r *cliSQLRig) writeDeadLetter(uuid string, payload []byte, metadata string) {
	r.t.Helper()
	q := `INSERT INTO "watermill_` + sqlbus.DeadLetterTopic(r.queue) + `" ("uuid", "payload", "metadata", "transaction_id") VALUES ($1, $2, $3, pg_current_xact_id())`
	if r.d == sourceflow.MySQL {
		q = "INSERT INTO `watermill_" + sqlbus.DeadLetterTopic(r.queue) + "` (`uuid`, `payload`, `metadata`) VALUES (?, ?, ?)"
	}
	_, err := r.db.Exec(q, uuid, payload, metadata)
	require.NoError(r.t, err)
}

// TestCLISQL_DepthDeadLettersRedriveAndPruneOfADestination: the sql
// commands on a destination whose worker refused two commands: depth shows
// the backlog before the worker runs and the dead letters after; dead-letters
// lists them with their type and reason; redrive without --yes moves
// nothing, with --yes moves them and the worker handles them; prune deletes
// what the worker's group acknowledged.
func TestCLISQL_DepthDeadLettersRedriveAndPruneOfADestination(t *testing.T) {
	eachSQLBusDialect(t, func(t *testing.T, d sourceflow.Dialect, db *sql.DB) {
		r := newCLISQLRig(t, d, db)
		r.send("declined-1", "ok", "declined-2")
		out, errOut, code := r.sql("depth", "--service", "clisql-worker", "--destination", r.queue)
		require.Equal(t, cli.ExitOK, code, errOut)
		assert.Regexp(t, `(?m)^`+regexp.QuoteMeta(r.queue)+` +destination +3 +0 +\d+s$`, out, "every command is ahead of a worker that never ran")

		r.startWorker()
		r.waitDepth(0, int64(len(r.refused)), "the worker handled one command and dead-lettered two")
		out, errOut, code = r.sql("depth", "--service", "clisql-worker", "--destination", r.queue, "-o", "json")
		require.Equal(t, cli.ExitOK, code, errOut)
		assert.JSONEq(t, fmt.Sprintf(`{"service":"clisql-worker","depths":[{"name":%q,"kind":"destination","ahead":0,"dead_letters":2}]}`,
			r.queue), out)

		out, errOut, code = r.sql("dead-letters", "--destination", r.queue, "--payload")
		require.Equal(t, cli.ExitOK, code, errOut)
		assert.Contains(t, out, "2 dead letters of destination "+r.queue)
		for id := range r.refused {
			assert.Regexp(t, `(?m)^`+id+` +model\.PayOrder +declined-\d +.*card declined.* +\{"amount":1\}$`, out)
		}
		r.redriveAndPrune()
	})
}

// redriveAndPrune redrives the rig's dead letters, without --yes and then
// with it, and prunes the destination once the worker handled them.
func (r *cliSQLRig) redriveAndPrune() {
	t := r.t
	out, errOut, code := r.sql("redrive", "--destination", r.queue)
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "2 dead letters of destination "+r.queue)
	assert.Contains(t, out, "Nothing moved: add --yes")
	left, _, err := sqlbus.DeadLetters(context.Background(), r.cfg, r.queue, sqlbus.DeadLetterQuery{Max: 1000})
	require.NoError(t, err)
	assert.Len(t, left, len(r.refused), "without --yes nothing moves")

	r.refusing.Store(false)
	out, errOut, code = r.sql("redrive", "--destination", r.queue, "--yes")
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "Moved 2 dead letters back into destination "+r.queue)
	require.Eventually(t, func() bool {
		handled := distinctSet(r.runs.messageIDs("clisql-worker", hPay))
		for id := range r.refused {
			if !handled[id] {
				return false
			}
		}
		return true
	}, 30*time.Second, 10*time.Millisecond, "the worker handles the redriven commands")
	r.waitDepth(0, 0, "the worker's group acknowledged every command, and no dead letter is left")

	before := sqlbusRows(t, r.d, r.db, r.queue)
	require.Greater(t, before, 1)
	out, errOut, code = r.sql("prune", "--destination", r.queue)
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Regexp(t, regexp.QuoteMeta(fmt.Sprintf("Pruned destination %s: %d row", r.queue, before-1))+`s? deleted\.\n`, out)
	assert.Equal(t, 1, sqlbusRows(t, r.d, r.db, r.queue), "the last acknowledged row is kept")
}

// TestCLISQL_UnreachableDatabaseExitsThreeWithoutThePassword: a DSN taken
// from SOURCEFLOW_SQL_DSN whose database does not answer is a failed
// database call, named by its host, within --timeout.
func TestCLISQL_UnreachableDatabaseExitsThreeWithoutThePassword(t *testing.T) {
	for name, dsn := range map[string]string{"postgres": "postgres://u:secret@127.0.0.1:1/x", "mysql": "u:secret@tcp(127.0.0.1:1)/x"} {
		t.Run(name, func(t *testing.T) {
			t.Setenv("SOURCEFLOW_SQL_DSN", dsn)
			start := time.Now()
			out, errOut, code := runCLI(t, "sql", "depth", "--service", "s", "--destination", "d", "--timeout", "10s")
			assert.Equal(t, cli.ExitAWS, code, errOut)
			assert.Less(t, time.Since(start), 10*time.Second)
			assert.Contains(t, errOut, "at 127.0.0.1:1")
			assert.NotContains(t, out+errOut, "secret")
		})
	}
}

// TestCLISQL_RedriveThatLeavesAnUnreadableDeadLetterExitsThree: redrive
// --yes moves the dead letters it can read, leaves one whose metadata
// cannot be read, prints how many moved and exits 3 naming the one left;
// dead-letters still lists it with why.
func TestCLISQL_RedriveThatLeavesAnUnreadableDeadLetterExitsThree(t *testing.T) {
	eachSQLBusDialect(t, func(t *testing.T, d sourceflow.Dialect, db *sql.DB) {
		r := newCLISQLRig(t, d, db)
		r.startWorker()
		r.send("p-1")
		r.waitDepth(0, 1, "the command is dead-lettered")
		r.writeDeadLetter("hand-written", []byte(`{}`), `{"n": 1}`)

		r.refusing.Store(false)
		out, errOut, code := r.sql("redrive", "--destination", r.queue, "--yes")
		assert.Equal(t, cli.ExitAWS, code, errOut)
		assert.Equal(t, "Moved 1 dead letter back into destination "+r.queue+".\n", out)
		assert.Contains(t, errOut, "hand-written")
		assert.Contains(t, errOut, "metadata column")
		require.Eventually(t, func() bool { return len(distinctSet(r.runs.messageIDs("clisql-worker", hPay))) == 1 }, 30*time.Second, 10*time.Millisecond,
			"the redriven command is handled")

		out, errOut, code = r.sql("dead-letters", "--destination", r.queue)
		require.Equal(t, cli.ExitOK, code, errOut)
		assert.Contains(t, out, "1 dead letter of destination "+r.queue)
		assert.Regexp(t, `(?m)^hand-written +- +- +.*metadata column is not a JSON object of strings`, out)
	})
}

// TestCLISQL_GroupsListsAndRemovesARetiredServicesGroup: groups lists each
// consumer group of a destination with its backlog; --remove without --yes
// removes nothing, with it removes the group (then pruning goes on), and a
// group that is not there exits 1.
func TestCLISQL_GroupsListsAndRemovesARetiredServicesGroup(t *testing.T) {
	eachSQLBusDialect(t, func(t *testing.T, d sourceflow.Dialect, db *sql.DB) {
		r := newCLISQLRig(t, d, db)
		r.refusing.Store(false)
		retired := payWorker(t, r.cfg, "clisql-retired", r.queue, r.runs, &r.refusing)
		startModel(t, retired)
		require.NoError(t, retired.Close(), "the retired service stops for good before any command")
		r.startWorker()
		r.send("ok-1", "ok-2")
		r.waitDepth(0, 0, "the worker handled both commands")

		out, errOut, code := r.sql("groups", "--destination", r.queue)
		require.Equal(t, cli.ExitOK, code, errOut)
		assert.Regexp(t, `(?m)^clisql-retired +2 +\d+s$`, out)
		assert.Regexp(t, `(?m)^clisql-worker +0 +-$`, out)
		out, errOut, code = r.sql("groups", "--destination", r.queue, "-o", "json")
		require.Equal(t, cli.ExitOK, code, errOut)
		var listed struct {
			Destination string
			Groups      []struct {
				Service            string
				Ahead              int64
				OldestAheadSeconds *int64 `json:"oldest_ahead_seconds"`
			}
		}
		require.NoError(t, json.Unmarshal([]byte(out), &listed), out)
		assert.Equal(t, r.queue, listed.Destination)
		require.Len(t, listed.Groups, 2, out)
		assert.Equal(t, "clisql-retired", listed.Groups[0].Service)
		assert.Equal(t, int64(2), listed.Groups[0].Ahead)
		assert.NotNil(t, listed.Groups[0].OldestAheadSeconds, "the retired group has messages ahead: their age is shown")
		assert.Equal(t, "clisql-worker", listed.Groups[1].Service)
		assert.Nil(t, listed.Groups[1].OldestAheadSeconds, "nothing ahead, no age")

		out, errOut, code = r.sql("groups", "--destination", r.queue, "--remove", "clisql-retired")
		require.Equal(t, cli.ExitOK, code, errOut)
		assert.Contains(t, out, "Nothing removed: add --yes")
		groups, err := sqlbus.ConsumerGroups(context.Background(), r.cfg, r.queue)
		require.NoError(t, err)
		assert.Len(t, groups, 2, "without --yes nothing is removed")

		out, errOut, code = r.sql("groups", "--destination", r.queue, "--remove", "clisql-retired", "--yes")
		require.Equal(t, cli.ExitOK, code, errOut)
		assert.Contains(t, out, "Removed the consumer group of service clisql-retired")
		groups, err = sqlbus.ConsumerGroups(context.Background(), r.cfg, r.queue)
		require.NoError(t, err)
		assert.Equal(t, []sqlbus.ConsumerGroup{{Service: "clisql-worker"}}, groups)

		_, errOut, code = r.sql("groups", "--destination", r.queue, "--remove", "clisql-retired", "--yes")
		assert.Equal(t, cli.ExitDrift, code, errOut)
		assert.Contains(t, errOut, "has no consumer group of service clisql-retired")
	})
}
