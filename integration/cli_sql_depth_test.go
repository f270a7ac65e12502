//go:build integration

package integration

import (
	"database/sql"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// TestCLISQLDepth_WarnsOfAServiceWithoutAConsumerGroup: depth counts, for a
// service with no consumer group on a destination, every message kept, as
// for one that never subscribed; a misspelt service or destination gives
// the same. It still prints the counts and exits 0, and warns on standard
// error naming the service and the destination; the service that reads
// the destination draws no warning.
func TestCLISQLDepth_WarnsOfAServiceWithoutAConsumerGroup(t *testing.T) {
	eachSQLBusDialect(t, func(t *testing.T, d sourceflow.Dialect, db *sql.DB) {
		r := newCLISQLRig(t, d, db)
		r.startWorker()
		r.send("ok")
		r.waitDepth(0, 0, "the worker handled the command")

		out, errOut, code := r.sql("depth", "--service", "clisql-worker", "--destination", r.queue)
		require.Equal(t, cli.ExitOK, code, errOut)
		assert.Regexp(t, `(?m)^`+regexp.QuoteMeta(r.queue)+` +destination +0 +0 +-$`, out)
		assert.Empty(t, errOut)

		out, errOut, code = r.sql("depth", "--service", "clisql-wroker", "--destination", r.queue)
		require.Equal(t, cli.ExitOK, code, errOut)
		assert.Regexp(t, `(?m)^`+regexp.QuoteMeta(r.queue)+` +destination +1 +0 +\d+s$`, out, "every message kept is ahead")
		assert.Contains(t, errOut, "warning: service clisql-wroker has no consumer group on destination "+r.queue)

		missing := r.queue + "-typo"
		out, errOut, code = r.sql("depth", "--service", "clisql-worker", "--destination", missing, "-o", "json")
		require.Equal(t, cli.ExitOK, code, errOut)
		assert.JSONEq(t, `{"service":"clisql-worker","depths":[{"name":"`+missing+`","kind":"destination","ahead":0,"dead_letters":0}]}`, out)
		assert.Contains(t, errOut, "warning: service clisql-worker has no consumer group on destination "+missing)
	})
}

// TestCLISQLDepth_ShowsTheAgeOfTheOldestMessageAhead: depth shows, per
// destination, how long ago the oldest message its service has yet to
// handle was written, so that a stuck consumer group (an old message
// ahead) is told from a slow one; none once the service handled it.
func TestCLISQLDepth_ShowsTheAgeOfTheOldestMessageAhead(t *testing.T) {
	eachSQLBusDialect(t, func(t *testing.T, d sourceflow.Dialect, db *sql.DB) {
		r := newCLISQLRig(t, d, db)
		r.send("ok")
		hourAgo := `UPDATE "watermill_` + sqlbus.Topic(r.queue) + `" SET "created_at" = "created_at" - INTERVAL '1 hour'`
		if d == sourceflow.MySQL {
			hourAgo = "UPDATE `watermill_" + sqlbus.Topic(r.queue) + "` SET `created_at` = `created_at` - INTERVAL 1 HOUR"
		}
		_, err := db.Exec(hourAgo)
		require.NoError(t, err)

		out, errOut, code := r.sql("depth", "--service", "clisql-worker", "--destination", r.queue)
		require.Equal(t, cli.ExitOK, code, errOut)
		assert.Regexp(t, `(?m)^`+regexp.QuoteMeta(r.queue)+` +destination +1 +0 +1h\d+m\d+s$`, out, "the message ahead was written an hour ago")
		out, errOut, code = r.sql("depth", "--service", "clisql-worker", "--destination", r.queue, "-o", "json")
		require.Equal(t, cli.ExitOK, code, errOut)
		var got struct {
			Depths []struct {
				OldestAheadSeconds *int64 `json:"oldest_ahead_seconds"`
			}
		}
		require.NoError(t, json.Unmarshal([]byte(out), &got), out)
		require.Len(t, got.Depths, 1)
		require.NotNil(t, got.Depths[0].OldestAheadSeconds, out)
		assert.InDelta(t, 3600, *got.Depths[0].OldestAheadSeconds, 600, out)

		r.startWorker()
		r.waitDepth(0, 0, "the worker handled the command")
		out, errOut, code = r.sql("depth", "--service", "clisql-worker", "--destination", r.queue)
		require.Equal(t, cli.ExitOK, code, errOut)
		assert.Regexp(t, `(?m)^`+regexp.QuoteMeta(r.queue)+` +destination +0 +0 +-$`, out, "nothing ahead, no age")
	})
}

// TestCLISQLDepth_WarnsOfATableWithAZonelessCreatedAt: on PostgreSQL,
// depth warns on standard error of each table of its destinations that an
// earlier release created with a created_at without time zone, one line
// per table in name order, naming the ALTER that converts it; the counts
// are printed and it exits 0. MySQL (MariaDB here) draws no such line; a
// destination whose tables sqlbus created draws none either (see
// TestCLISQLDepth_WarnsOfAServiceWithoutAConsumerGroup).
func TestCLISQLDepth_WarnsOfATableWithAZonelessCreatedAt(t *testing.T) {
	eachSQLBusDialect(t, func(t *testing.T, d sourceflow.Dialect, db *sql.DB) {
		r := newCLISQLRig(t, d, db)
		createEarlierReleaseTables(t, d, db, r.queue)
		r.startWorker()
		r.send("ok")
		r.waitDepth(0, 0, "the worker handled the command")

		out, errOut, code := r.sql("depth", "--service", "clisql-worker", "--destination", r.queue)
		require.Equal(t, cli.ExitOK, code, errOut)
		assert.Regexp(t, `(?m)^`+regexp.QuoteMeta(r.queue)+` +destination +0 +0 +-$`, out)
		var zoneless []string
		for _, line := range strings.Split(strings.TrimSpace(errOut), "\n") {
			if strings.Contains(line, "without time zone") {
				zoneless = append(zoneless, line)
			}
		}
		if d == sourceflow.MySQL {
			assert.Empty(t, zoneless)
			return
		}
		require.Len(t, zoneless, 2, errOut)
		for i, topic := range []string{sqlbus.Topic(r.queue), sqlbus.DeadLetterTopic(r.queue)} {
			table := "watermill_" + topic
			assert.True(t, strings.HasPrefix(zoneless[i], "warning: table "+table+" was created by an earlier release"), zoneless[i])
			assert.True(t, strings.HasSuffix(zoneless[i], `: ALTER TABLE "`+table+`" ALTER COLUMN "created_at" TYPE timestamptz`), zoneless[i])
		}
	})
}
