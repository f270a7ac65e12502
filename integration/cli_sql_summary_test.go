//go:build integration

package integration

import (
	"database/sql"
	"encoding/json"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// TestCLISQLDeadLetters_SummaryCountsByTypeAndReason: dead-letters
// --summary counts the dead letters by type and by the first line of
// their reason, and says when the first and the last were dead-lettered,
// in text and in JSON.
func TestCLISQLDeadLetters_SummaryCountsByTypeAndReason(t *testing.T) {
	eachSQLBusDialect(t, func(t *testing.T, d sourceflow.Dialect, db *sql.DB) {
		r := newCLISQLRig(t, d, db)
		r.startWorker()
		r.send("p-1")
		r.waitDepth(0, 1, "the command is dead-lettered")
		r.writePoison(3)

		out, errOut, code := r.sql("dead-letters", "--destination", r.queue, "--summary")
		require.Equal(t, cli.ExitOK, code, errOut)
		assert.Contains(t, out, "4 dead letters of destination "+r.queue)
		assert.Regexp(t, `(?m)^orders\.RefundOrder +3\nmodel\.PayOrder +1$`, out, "the most frequent first")
		assert.Regexp(t, `(?m)^refund of an unknown order +3$`, out, "the reason's first line")
		assert.NotContains(t, out, "handler.go")
		assert.Regexp(t, `(?m)^Dead-lettered from \S+ \(oldest\) to \S+ \(newest\)\.$`, out)

		out, errOut, code = r.sql("dead-letters", "--destination", r.queue, "--summary", "-o", "json")
		require.Equal(t, cli.ExitOK, code, errOut)
		var s struct {
			DeadLetters int64 `json:"dead_letters"`
			ByType      []struct {
				Type  string
				Count int64
			} `json:"by_type"`
			ByReason []struct {
				Reason string
				Count  int64
			} `json:"by_reason"`
			Oldest, Newest time.Time
		}
		require.NoError(t, json.Unmarshal([]byte(out), &s), out)
		assert.Equal(t, int64(4), s.DeadLetters)
		require.Len(t, s.ByType, 2)
		assert.Equal(t, "orders.RefundOrder", s.ByType[0].Type)
		assert.Equal(t, int64(3), s.ByType[0].Count)
		require.Len(t, s.ByReason, 2)
		assert.Equal(t, "refund of an unknown order", s.ByReason[0].Reason)
		assert.Regexp(t, regexp.MustCompile(`card declined`), s.ByReason[1].Reason)
		assert.WithinDuration(t, time.Now(), s.Oldest, time.Hour, "the database's time, as UTC")
		assert.False(t, s.Newest.Before(s.Oldest))
	})
}

// TestCLISQLDeadLetters_SummaryGroupsTheDeadLettersOfOneFault: the reason
// the transport writes names the message, so that each dead letter's
// differs; --summary groups by the reason with the message id taken out,
// so the dead letters one fault made share one row.
func TestCLISQLDeadLetters_SummaryGroupsTheDeadLettersOfOneFault(t *testing.T) {
	eachSQLBusDialect(t, func(t *testing.T, d sourceflow.Dialect, db *sql.DB) {
		r := newCLISQLRig(t, d, db)
		r.startWorker()
		r.send("p-1", "p-2", "p-3")
		r.waitDepth(0, 3, "the commands are dead-lettered")

		out, errOut, code := r.sql("dead-letters", "--destination", r.queue)
		require.Equal(t, cli.ExitOK, code, errOut)
		for id := range r.refused {
			assert.Contains(t, out, `"`+id+`": card declined`, "the reason as the transport wrote it names the message")
		}

		out, errOut, code = r.sql("dead-letters", "--destination", r.queue, "--summary")
		require.Equal(t, cli.ExitOK, code, errOut)
		assert.Regexp(t, `(?m)^handler "payment/model\.PayOrder", model\.PayOrder <message id>: card declined +3$`, out)
		for id := range r.refused {
			assert.NotContains(t, out, id)
		}
	})
}
