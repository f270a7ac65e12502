//go:build integration

package integration

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// TestCLISQLRedrive_DryRunCountsALargeOutboxDeadLetterOfTheType: sql
// redrive --outbox T --type X without --yes counts the dead letters of
// type X that --yes then moves, a forwarder envelope larger than the part
// of it a listing reads included.
func TestCLISQLRedrive_DryRunCountsALargeOutboxDeadLetterOfTheType(t *testing.T) {
	db := sqlbusDB(t, sourceflow.Postgres, "SOURCEFLOW_POSTGRES_DSN")
	t.Setenv("SOURCEFLOW_SQL_DSN", sqlbusDSN(t, sourceflow.Postgres))
	topic := strings.ReplaceAll(uniqueName("clisqlredrivebig", ""), "-", "_")
	dropOutboxTables(t, db, topic)
	channel, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{})
	require.NoError(t, err)
	bindOutbox(t, db, topic, channel, false) // creates the tables only
	big := base64.StdEncoding.EncodeToString([]byte(`{"note":"` + strings.Repeat("x", 80<<10) + `"}`))
	env := fmt.Sprintf(`{"destination_topic":"clisql-orders","uuid":"env-big","payload":%q,"metadata":{"sf_id":"m-big","sf_type":"model.PayOrder"}}`, big)
	_, err = db.Exec(`INSERT INTO "watermill_`+topic+`_dead_letters" (uuid, payload, metadata, transaction_id) `+
		`VALUES ($1, $2, '{"sf_failure":"destination refused"}', pg_current_xact_id())`, "env-big", env)
	require.NoError(t, err)

	out, errOut, code := runCLI(t, "sql", "redrive", "--outbox", topic, "--type", "model.PayOrder")
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "1 dead letter of type model.PayOrder of outbox "+topic, "the dry run counts what --yes moves")
	assert.Contains(t, out, "would be moved back, 0 left.")

	out, errOut, code = runCLI(t, "sql", "redrive", "--outbox", topic, "--type", "model.PayOrder", "--yes")
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "Moved 1 dead letter of type model.PayOrder")
}
