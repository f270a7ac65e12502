//go:build integration

package integration

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// TestCLISQLPurge_AnOutboxsDeadLettersByTheTypeInsideTheEnvelope: an
// outbox's dead letter holds the forwarder envelope: purge --type and
// dead-letters --summary read the type of the message inside it, and
// purge deletes only the dead letters of that type.
func TestCLISQLPurge_AnOutboxsDeadLettersByTheTypeInsideTheEnvelope(t *testing.T) {
	db := sqlbusDB(t, sourceflow.Postgres, "SOURCEFLOW_POSTGRES_DSN")
	t.Setenv("SOURCEFLOW_SQL_DSN", sqlbusDSN(t, sourceflow.Postgres))
	topic := strings.ReplaceAll(uniqueName("clisqlpurge", ""), "-", "_")
	dropOutboxTables(t, db, topic)
	channel, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{})
	require.NoError(t, err)
	bindOutbox(t, db, topic, channel, false) // creates the tables only
	for i, typ := range []string{"model.PayOrder", "orders.RefundOrder", "model.PayOrder"} {
		env := fmt.Sprintf(`{"destination_topic":"clisql-orders","uuid":"env-%d","payload":%q,"metadata":{"sf_id":"m-%d","sf_type":%q}}`,
			i, base64.StdEncoding.EncodeToString([]byte(`{}`)), i, typ)
		_, err := db.Exec(`INSERT INTO "watermill_`+topic+`_dead_letters" (uuid, payload, metadata, transaction_id) `+
			`VALUES ($1, $2, '{"sf_failure":"destination refused"}', pg_current_xact_id())`, fmt.Sprintf("env-%d", i), env)
		require.NoError(t, err)
	}

	out, errOut, code := runCLI(t, "sql", "dead-letters", "--outbox", topic, "--summary")
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Regexp(t, `(?m)^model\.PayOrder +2\norders\.RefundOrder +1$`, out)
	assert.Regexp(t, `(?m)^destination refused +3$`, out)

	out, errOut, code = runCLI(t, "sql", "purge", "--outbox", topic, "--type", "orders.RefundOrder", "--yes")
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Equal(t, "Deleted 1 dead letter of type orders.RefundOrder of outbox "+topic+".\n", out)
	out, errOut, code = runCLI(t, "sql", "dead-letters", "--outbox", topic)
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "2 dead letters of outbox "+topic)
	assert.Len(t, regexp.MustCompile(`(?m)^m-\d +model\.PayOrder `).FindAllString(out, -1), 2, out)
}
