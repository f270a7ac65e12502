//go:build integration

package integration

import (
	"context"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// TestSQLBusHybridCommandsOnSQSEventsOnPostgres runs the pay flow with each
// service on a HybridTransport: commands over awsbus (SQS on the emulator),
// events over sqlbus on PostgreSQL. The service code is the pay flow's; only
// the transports differ. The event rows are in PostgreSQL and no command
// ever reached it.
func TestSQLBusHybridCommandsOnSQSEventsOnPostgres(t *testing.T) {
	d, db := sourceflow.Postgres, sqlbusDB(t, sourceflow.Postgres, "SOURCEFLOW_POSTGRES_DSN")
	f := &payFlow{runs: &ledger{}, payQ: uniqueName("h-pay", ".fifo"), orderQ: uniqueName("h-ord", ".fifo"), paidTopic: sqlbusName("h-paid", "")}
	dropSQLBusTables(t, d, db, f.payQ, f.orderQ, f.paidTopic)
	hybrid := func(name string, listen ...string) *cqrs.Service {
		awsTr, err := awsbus.NewTransportFromAWS(awsConfig(t), awsbus.Config{ConsumerConfig: awsbus.ConsumerConfig{
			WaitTime: time.Second, VisibilityTimeout: 10 * time.Second, ShutdownTimeout: 5 * time.Second}})
		require.NoError(t, err)
		sqlTr, err := sqlbus.NewTransport(sqlbusConfig(d, db))
		require.NoError(t, err)
		tr, err := cqrs.NewHybridTransport(cqrs.HybridConfig{Default: sqlTr, Commands: awsTr})
		require.NoError(t, err)
		t.Cleanup(func() { require.NoError(t, tr.Close(), "close the transports of %s", name) })
		svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: name, Listen: listen, Transport: tr, CloseTimeout: 10 * time.Second,
			HandlerMiddleware: []message.HandlerMiddleware{deliveries(name, f.runs), memoryIdempotency(t)}})
		require.NoError(t, err)
		t.Cleanup(func() { require.NoError(t, svc.Close(), "close service %s", name) })
		require.NoError(t, cqrs.RegisterCommand[PayOrder](svc, "model.PayOrder", f.payQ))
		require.NoError(t, cqrs.RegisterCommand[ConfirmOrder](svc, "model.ConfirmOrder", f.orderQ))
		require.NoError(t, cqrs.RegisterEvent[OrderPaid](svc, "model.OrderPaid", f.paidTopic))
		return svc
	}
	f.payments = hybrid(svcPayment, f.payQ, f.paidTopic)
	f.orders = hybrid(svcOrders, f.orderQ, f.paidTopic)
	f.wirePayments(t)
	f.wireOrders(t)
	startModel(t, f.payments, f.orders)

	cmd, err := f.agg.Send(context.Background(), "order-1", PayOrder{Amount: 7})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		return len(f.runs.byHandler(svcOrders, hConfirm)) >= 1 && len(f.runs.byHandler(svcPayment, hLedger)) >= 1
	}, 60*time.Second, 20*time.Millisecond, "PayOrder (SQS) → OrderPaid (PostgreSQL) → ConfirmOrder (SQS)")
	ev := f.runs.byHandler(svcOrders, hSummary)[0].Env
	assert.Equal(t, []string{svcPayment}, f.runs.servicesThatSaw(cmd.MessageID))
	assert.Equal(t, []string{svcOrders, svcPayment}, f.runs.servicesThatSaw(ev.MessageID))

	var events int
	require.NoError(t, db.QueryRow(`SELECT COUNT(*) FROM "watermill_`+sqlbus.Topic(f.paidTopic)+`" WHERE metadata->>'sf_id' = $1`, ev.MessageID).Scan(&events))
	assert.Equal(t, 1, events, "the event travelled through PostgreSQL")
	var commandTables int
	require.NoError(t, db.QueryRow(`SELECT COUNT(*) FROM (SELECT to_regclass($1) AS a UNION ALL SELECT to_regclass($2)) r WHERE a IS NOT NULL`,
		`"watermill_`+sqlbus.Topic(f.payQ)+`"`, `"watermill_`+sqlbus.Topic(f.orderQ)+`"`).Scan(&commandTables))
	assert.Zero(t, commandTables, "no command went through PostgreSQL")
}
