//go:build integration

package cli_test

import (
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// sql redrive checks that --after is before --before by the database's
// time only: with --after an RFC 3339 time and --before a duration, an
// operator's clock two hours behind the database's must not refuse, as
// "no dead letter can match", a range that holds a dead letter by the
// database's clock.
func TestSQL_RedriveMixedBoundsAreCheckedByTheDatabaseClock(t *testing.T) {
	for _, d := range clockDatabases(t) {
		t.Run(d.name, func(t *testing.T) {
			t.Setenv("SOURCEFLOW_SQL_DSN", d.dsn)
			topic := "outbox_clockmix_" + strings.ToLower(rand.Text()[:10])
			deadLettersAged(t, d, topic, 20*time.Minute)
			after := time.Now().Add(-30 * time.Minute).UTC().Format(time.RFC3339)

			out, errOut, code := runWithClock(t, -2*time.Hour, "sql", "redrive", "--outbox", topic, "--after", after, "--before", "10m")

			require.Equal(t, cli.ExitOK, code, errOut)
			assert.True(t, strings.HasPrefix(out, "1 dead letter dead-lettered "), out)
		})
	}
}
