//go:build integration

package integration

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/outbox"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// lowerPacket sets the MySQL server's max_allowed_packet to bytes until
// the test ends, as a configuration change or a fail-over to a server
// configured otherwise would, and returns a new pool, whose connections
// take the new limit. The variable is GLOBAL (MariaDB's session value is
// read-only), so the tests calling it never call t.Parallel: no other test
// of this binary runs meanwhile, and scripts/test.sh runs the packages one
// at a time (-p 1).
func lowerPacket(t *testing.T, admin *sql.DB, bytes int) *sql.DB {
	t.Helper()
	var packet int
	require.NoError(t, admin.QueryRow("SELECT @@global.max_allowed_packet").Scan(&packet))
	require.Greater(t, packet, 3<<20, "the server takes the 2 MiB row at first")
	_, err := admin.Exec("SET GLOBAL max_allowed_packet = ?", bytes)
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = admin.Exec("SET GLOBAL max_allowed_packet = ?", packet) })
	return sqlbusDB(t, sourceflow.MySQL, "SOURCEFLOW_MYSQL_DSN")
}

// TestSQLBusDeadLetterOverALoweredPacketIsCopiedOnTheServer stores, on
// MySQL, a 2 MiB command, then lowers max_allowed_packet to 1 MiB. Its
// handler refuses it for good: it is dead-lettered whole with its reason
// (copied on the server from its row: an INSERT of it would be refused),
// and the command behind it is handled.
func TestSQLBusDeadLetterOverALoweredPacketIsCopiedOnTheServer(t *testing.T) {
	d := sourceflow.MySQL
	admin := sqlbusDB(t, d, "SOURCEFLOW_MYSQL_DSN")
	queue := sqlbusName("shrink", "")
	dropSQLBusTables(t, d, admin, queue)

	sender := sqlbusService(t, sqlbusConfig(d, admin), cqrs.ServiceConfig{Name: "shrink-sender"})
	require.NoError(t, cqrs.RegisterCommand[Note](sender, "model.Note", queue))
	startModel(t, sender)
	agg, ctx := cqrs.NewAggregate(sender, "payment"), context.Background()
	big, err := agg.Send(ctx, "big", Note{Text: strings.Repeat("n", 2<<20)})
	require.NoError(t, err)
	after, err := agg.Send(ctx, "after", Note{Text: "small"})
	require.NoError(t, err)

	db := lowerPacket(t, admin, 1<<20)
	runs := &ledger{}
	worker := sqlbusService(t, sqlbusConfig(d, db), cqrs.ServiceConfig{Name: "shrink-worker", Listen: []string{queue},
		HandlerMiddleware: []message.HandlerMiddleware{memoryIdempotency(t)}})
	require.NoError(t, cqrs.RegisterCommand[Note](worker, "model.Note", queue))
	require.NoError(t, cqrs.Handle(cqrs.NewSaga[Payment](worker, "payment"), func(_ context.Context, _ *Payment, _ Note, env cqrs.Envelope) ([]any, error) {
		if env.EntityID == "big" {
			return nil, sourceflow.Permanent(errors.New("refused"))
		}
		runs.add(worker.Name(), hPay, env)
		return nil, nil
	}))
	startModel(t, worker)

	require.Eventually(t, func() bool { return len(runs.messageIDs(worker.Name(), hPay)) > 0 }, 30*time.Second, 50*time.Millisecond,
		"the command behind the one stored under the larger limit is handled")
	assert.Equal(t, []string{after.MessageID}, runs.messageIDs(worker.Name(), hPay))
	dead, _, err := sqlbus.DeadLetters(ctx, sqlbusConfig(d, admin), queue, sqlbus.DeadLetterQuery{Max: 10})
	require.NoError(t, err)
	require.Len(t, dead, 1, "the refused command is dead-lettered")
	assert.Equal(t, big.MessageID, dead[0].Message.UUID)
	assert.Greater(t, len(dead[0].Message.Payload), 2<<20, "whole")
	assert.Contains(t, dead[0].Reason, "refused")
}

// TestOutboxDeadLetterOverALoweredPacketIsCopiedOnTheServer writes, on
// MySQL, a 2 MiB outbox row and two small ones behind it, for other
// destinations, then lowers max_allowed_packet to 1 MiB and starts the
// forwarder. The inner transport refuses the big row for good: it is
// dead-lettered whole with its reason (copied on the server), and the
// rows behind it are forwarded.
func TestOutboxDeadLetterOverALoweredPacketIsCopiedOnTheServer(t *testing.T) {
	d := sourceflow.MySQL
	admin := sqlbusDB(t, d, "SOURCEFLOW_MYSQL_DSN")
	topic := strings.ReplaceAll(uniqueName("obx_shrink", ""), "-", "_")
	outboxTablesOf(t, d, admin, topic)
	insert := func(id, destination string, payload []byte) {
		env := fmt.Sprintf(`{"destination_topic":%q,"uuid":%q,"payload":%q,"metadata":{}}`,
			destination, id, base64.StdEncoding.EncodeToString(payload))
		_, err := admin.Exec("INSERT INTO `watermill_"+topic+"` (uuid, payload, metadata) VALUES (?, ?, '{}')", "env-"+id, env)
		require.NoError(t, err)
	}
	insert("big", "obx-refused", []byte(strings.Repeat("n", 2<<20)))
	insert("a", "obx-a", []byte("small"))
	insert("b", "obx-b", []byte("small"))

	db := lowerPacket(t, admin, 1<<20)
	channel, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{})
	require.NoError(t, err)
	inner := &refusingOne{ChannelTransport: channel, refused: "obx-refused"}
	cfg := outbox.Config{DB: db, Dialect: d, Transport: inner, Topic: topic}
	box, err := outbox.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, box.Close()) })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, box.Bind(ctx, sourceflow.Binding{Service: "obx-shrink"}))

	require.Eventually(t, func() bool { return len(inner.forwarded()) == 2 }, 30*time.Second, 50*time.Millisecond,
		"the rows behind the one written under the larger limit are forwarded")
	assert.ElementsMatch(t, []string{"a", "b"}, inner.forwarded())
	dead, _, err := outbox.DeadLetters(context.Background(), outbox.Config{DB: admin, Dialect: d, Topic: topic}, outbox.DeadLetterQuery{Max: 10})
	require.NoError(t, err)
	require.Len(t, dead, 1, "the refused row is dead-lettered")
	assert.Equal(t, "env-big", dead[0].Message.UUID)
	assert.Greater(t, len(dead[0].Message.Payload), 2<<20, "whole")
	assert.Contains(t, dead[0].Reason, "destination refused")
}

// refusingOne is a ChannelTransport whose publishers refuse the messages
// of one destination for good and record the ids of the others.
type refusingOne struct {
	*cqrs.ChannelTransport
	refused string

	mu  sync.Mutex
	ids []string
}

func (r *refusingOne) Publisher(destination string) (message.Publisher, error) {
	return oneRefusingPublisher{r: r, destination: destination}, nil
}

// forwarded returns the ids of the messages published, in order.
func (r *refusingOne) forwarded() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.ids...)
}

type oneRefusingPublisher struct {
	r           *refusingOne
	destination string
}

func (p oneRefusingPublisher) Publish(_ string, msgs ...*message.Message) error {
	if p.destination == p.r.refused {
		return sourceflow.Permanent(errors.New("destination refused"))
	}
	p.r.mu.Lock()
	defer p.r.mu.Unlock()
	for _, m := range msgs {
		p.r.ids = append(p.r.ids, m.UUID)
	}
	return nil
}

func (oneRefusingPublisher) Close() error { return nil }
