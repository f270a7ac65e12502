//go:build integration

package integration

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// TestCLISQL_DeadLettersShowsAtMostMaxAndCountsTheRest: with more dead
// letters than the maximum, sqlbus.DeadLetters returns exactly the maximum,
// the oldest, with the count of the rest and the payloads cut as asked,
// and sql dead-letters --max prints as many rows and says how many more
// there are.
func TestCLISQL_DeadLettersShowsAtMostMaxAndCountsTheRest(t *testing.T) {
	eachSQLBusDialect(t, func(t *testing.T, d sourceflow.Dialect, db *sql.DB) {
		r := newCLISQLRig(t, d, db)
		r.startWorker()
		r.send("p-1")
		r.waitDepth(0, 1, "the command is dead-lettered")
		big := []byte(`"` + strings.Repeat("x", 256<<10) + `"`) // past what a listing reads of a payload
		for i := range 11 {
			r.writeDeadLetter(fmt.Sprintf("written-%02d", i), big, `{"sf_failure":"card declined"}`)
		}

		dead, more, err := sqlbus.DeadLetters(context.Background(), r.cfg, r.queue, sqlbus.DeadLetterQuery{Max: 5, PayloadBytes: 16})
		require.NoError(t, err)
		require.Len(t, dead, 5)
		assert.Equal(t, int64(7), more)
		for i, dl := range dead[1:] {
			assert.Equal(t, fmt.Sprintf("written-%02d", i), dl.Message.UUID, "the oldest first")
			assert.Equal(t, big[:16], []byte(dl.Message.Payload), "the start of the payload")
		}

		out, errOut, code := r.sql("dead-letters", "--destination", r.queue, "--max", "5")
		require.Equal(t, cli.ExitOK, code, errOut)
		assert.Contains(t, out, "12 dead letters of destination "+r.queue)
		assert.Contains(t, out, "; the oldest 5 shown, 7 more not shown (raise --max).\n")
		assert.Len(t, regexp.MustCompile(`(?m)^written-\d\d +- +- +- +- +- +\d+s +card declined$`).FindAllString(out, -1), 4, out)
		assert.NotContains(t, out, "written-04")

		out, errOut, code = r.sql("dead-letters", "--destination", r.queue, "--max", "2", "--payload", "-o", "json")
		require.Equal(t, cli.ExitOK, code, errOut)
		assert.Equal(t, "note: 10 more dead letters not shown: the oldest 2 are (raise --max)\n", errOut)
		assert.Contains(t, out, string(big[1:len(big)-1]), "--payload reads the payload whole")
	})
}
