//go:build integration

package integration

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/outbox"
)

// refusingTransport is a ChannelTransport whose publishers refuse every
// message permanently: an outbox in front of it dead-letters its rows.
type refusingTransport struct{ *cqrs.ChannelTransport }

func (r refusingTransport) Publisher(string) (message.Publisher, error) {
	return refusingPublisher{}, nil
}

type refusingPublisher struct{}

func (refusingPublisher) Publish(string, ...*message.Message) error {
	return sourceflow.Permanent(errors.New("destination refused"))
}

func (refusingPublisher) Close() error { return nil }

// bindOutbox binds an outbox of topic in front of inner and closes it
// after the test.
func bindOutbox(t *testing.T, db *sql.DB, topic string, inner cqrs.Transport, forward bool) *outbox.Transport {
	t.Helper()
	box, err := outbox.New(outbox.Config{DB: db, Dialect: sourceflow.Postgres, Transport: inner, Topic: topic, DisableForwarder: !forward})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, box.Close()) })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, box.Bind(ctx, sourceflow.Binding{Service: "clisql-outbox"}))
	return box
}

// outboxTablesOf creates the tables of an outbox of topic on d through an
// outbox without a forwarder, and drops them after the test.
func outboxTablesOf(t *testing.T, d sourceflow.Dialect, db *sql.DB, topic string) {
	t.Helper()
	dropOutboxTablesOf(t, d, db, topic)
	channel, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{})
	require.NoError(t, err)
	box, err := outbox.New(outbox.Config{DB: db, Dialect: d, Transport: channel, Topic: topic, DisableForwarder: true})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, box.Close()) })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, box.Bind(ctx, sourceflow.Binding{Service: "clisql-outbox"}))
}

// dropOutboxTables drops the PostgreSQL tables of the outbox topic after
// the test.
func dropOutboxTables(t *testing.T, db *sql.DB, topic string) {
	t.Cleanup(func() {
		for _, table := range []string{"watermill_" + topic, "watermill_offsets_" + topic,
			"watermill_" + topic + "_dead_letters", "watermill_offsets_" + topic + "_dead_letters"} {
			_, err := db.Exec(`DROP TABLE IF EXISTS "` + table + `"`)
			assert.NoError(t, err)
		}
	})
}

// insertEnvelope writes a forwarder envelope of a command into the outbox
// of topic with plain SQL, as a transaction's send would.
func insertEnvelope(t *testing.T, db *sql.DB, topic, id, entity string) {
	t.Helper()
	env := fmt.Sprintf(`{"destination_topic":"clisql-orders","uuid":"env-%s","payload":%q,"metadata":{"sf_id":%q,"sf_type":"model.PayOrder","sf_entity":%q}}`,
		id, base64.StdEncoding.EncodeToString([]byte(`{"amount":1}`)), id, entity)
	_, err := db.Exec(`INSERT INTO "watermill_`+topic+`" (uuid, payload, metadata, transaction_id) VALUES ($1, $2, '{}', pg_current_xact_id())`,
		"env-"+id, env)
	require.NoError(t, err)
}

// TestCLISQL_OutboxDepthDeadLettersAndRedrive: on PostgreSQL, with the DSN
// from SOURCEFLOW_SQL_DSN, depth shows an outbox's rows not yet forwarded,
// then its dead letters once a forwarder whose inner transport refuses
// them dead-lettered them; dead-letters shows the message inside each
// envelope; redrive puts them back into the outbox.
func TestCLISQL_OutboxDepthDeadLettersAndRedrive(t *testing.T) {
	db := sqlbusDB(t, sourceflow.Postgres, "SOURCEFLOW_POSTGRES_DSN")
	t.Setenv("SOURCEFLOW_SQL_DSN", sqlbusDSN(t, sourceflow.Postgres))
	topic := strings.ReplaceAll(uniqueName("clisqlobx", ""), "-", "_")
	dropOutboxTables(t, db, topic)
	channel, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{})
	require.NoError(t, err)
	bindOutbox(t, db, topic, channel, false) // creates the tables only
	insertEnvelope(t, db, topic, "m-1", "order-1")
	insertEnvelope(t, db, topic, "m-2", "order-2")
	row := func(ahead, dead int) string {
		return fmt.Sprintf(`(?m)^%s +outbox +%d +%d +-$`, regexp.QuoteMeta(topic), ahead, dead)
	}
	out, errOut, code := runCLI(t, "sql", "depth", "--outbox", topic)
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Regexp(t, row(2, 0), out, "no forwarder ran: both rows are ahead")

	inner, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{})
	require.NoError(t, err)
	forwarder := bindOutbox(t, db, topic, refusingTransport{inner}, true)
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		got, err := outbox.Depths(context.Background(), outbox.Config{DB: db, Dialect: sourceflow.Postgres, Topic: topic})
		require.NoError(c, err)
		require.Len(c, got, 2)
		assert.Zero(c, got[0].Visible)
		assert.Equal(c, int64(2), got[1].Visible)
	}, 30*time.Second, 10*time.Millisecond, "the forwarder dead-letters both rows")
	require.NoError(t, forwarder.Close())

	out, errOut, code = runCLI(t, "sql", "depth", "--outbox", topic)
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Regexp(t, row(0, 2), out)

	out, errOut, code = runCLI(t, "sql", "dead-letters", "--outbox", topic, "--payload")
	require.Equal(t, cli.ExitOK, code, errOut)
	for _, l := range []string{`m-1 +model\.PayOrder +order-1`, `m-2 +model\.PayOrder +order-2`} {
		assert.Regexp(t, `(?m)^`+l+` +clisql-orders +.*destination refused.* +\{"amount":1\}$`, out)
	}

	out, errOut, code = runCLI(t, "sql", "redrive", "--outbox", topic)
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "2 dead letters of outbox "+topic)
	assert.Contains(t, out, "Nothing moved")
	out, errOut, code = runCLI(t, "sql", "redrive", "--outbox", topic, "--yes")
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "Moved 2 dead letters back into outbox "+topic+".")
	out, errOut, code = runCLI(t, "sql", "depth", "--outbox", topic)
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Regexp(t, row(2, 0), out, "the redriven rows wait for a forwarder")

	out, errOut, code = runCLI(t, "sql", "prune", "--outbox", topic)
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Regexp(t, `Pruned outbox `+regexp.QuoteMeta(topic)+`: \d+ rows? deleted\.`, out)
	out, errOut, code = runCLI(t, "sql", "depth", "--outbox", topic)
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Regexp(t, row(2, 0), out, "prune keeps the rows not yet forwarded")
}
