//go:build integration

package integration

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// Every consumer group of an sqlbus event destination shares its one
// dead-letter table, and a redrive delivers to every group again. When
// two services take an event and one refuses it, the dead letter must say
// which service (consumer group) dead-lettered it: otherwise an operator
// reading `sourceflow sql dead-letters` cannot tell whose handler failed,
// nor which service a redrive is for.
func TestSQLBusDeadLetterNamesTheServiceThatDeadLetteredIt(t *testing.T) {
	eachSQLBusDialect(t, deadLetterNamesItsService)
}

// deadLetterNamesItsService runs TestSQLBusDeadLetterNamesTheServiceThatDeadLetteredIt
// on the database db of dialect d.
func deadLetterNamesItsService(t *testing.T, d sourceflow.Dialect, db *sql.DB) {
	topic := sqlbusName("whose", "events")
	dropSQLBusTables(t, d, db, topic)
	cfg := sqlbusConfig(d, db)
	var handled atomic.Int64
	ledgerSvc := sqlbusService(t, cfg, cqrs.ServiceConfig{Name: "dl-ledger", Listen: []string{topic}})
	auditor := sqlbusService(t, cfg, cqrs.ServiceConfig{Name: "dl-auditor", Version: "v2.0.0-audit", Listen: []string{topic}})
	for _, s := range []*cqrs.Service{ledgerSvc, auditor} {
		require.NoError(t, cqrs.RegisterEvent[filterPlaced](s, "filter.Placed", topic))
	}
	require.NoError(t, cqrs.React(cqrs.NewAggregate(ledgerSvc, "entry"), func(context.Context, *cqrs.Aggregate, filterPlaced, cqrs.Envelope) error {
		handled.Add(1)
		return nil
	}))
	require.NoError(t, cqrs.React(cqrs.NewAggregate(auditor, "check"), func(context.Context, *cqrs.Aggregate, filterPlaced, cqrs.Envelope) error {
		return sourceflow.Permanent(errors.New("refused"))
	}))
	orders := sqlbusService(t, cfg, cqrs.ServiceConfig{Name: "dl-orders"})
	require.NoError(t, cqrs.RegisterEvent[filterPlaced](orders, "filter.Placed", topic))
	startModel(t, ledgerSvc, auditor, orders)

	ctx := context.Background()
	_, err := orders.EventQueue().Raise(ctx, "o-1", filterPlaced{ID: "o-1"})
	require.NoError(t, err)

	var dead []cqrs.DeadLetter
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		var err error
		dead, _, err = sqlbus.DeadLetters(ctx, cfg, topic, sqlbus.DeadLetterQuery{Max: 10})
		assert.NoError(c, err)
		assert.NotEmpty(c, dead)
		assert.Positive(c, handled.Load())
	}, 30*time.Second, 20*time.Millisecond, "dl-auditor dead-letters the event, dl-ledger handles it")
	text := dead[0].Reason
	for k, v := range dead[0].Message.Metadata {
		text += " " + k + "=" + v
	}
	assert.True(t, strings.Contains(text, "dl-auditor"),
		"the dead letter names the service whose consumer group dead-lettered it: %s", text)
	assert.Equal(t, "dl-auditor", dead[0].Message.Metadata.Get(sourceflow.MetaDeadLetteredBy))
	host, err := os.Hostname()
	require.NoError(t, err)
	assert.Equal(t, host, dead[0].Message.Metadata.Get(sourceflow.MetaFailedHost), "the host whose handler failed")
	assert.Equal(t, "v2.0.0-audit", dead[0].Message.Metadata.Get(sourceflow.MetaFailedVersion), "the version whose handler failed")

	// `sourceflow sql dead-letters` shows it, with the failing host and
	// version and the dead letter's age, and --summary counts the dead
	// letters by service.
	out, errOut, code := runCLI(t, "sql", "dead-letters", "--destination", topic, "--dsn", sqlbusDSN(t, d))
	require.Equal(t, 0, code, errOut)
	assert.Regexp(t, `SERVICE\s+HOST\s+VERSION\s+AGE\s+REASON\n`, out)
	assert.Regexp(t, `o-1\s+dl-auditor\s+`+regexp.QuoteMeta(host)+`\s+v2\.0\.0-audit\s+\d+s\s+handler`, out)
	out, errOut, code = runCLI(t, "sql", "dead-letters", "--destination", topic, "--summary", "--dsn", sqlbusDSN(t, d))
	require.Equal(t, 0, code, errOut)
	assert.Regexp(t, `SERVICE\s+COUNT\ndl-auditor\s+1\n`, out)
}
