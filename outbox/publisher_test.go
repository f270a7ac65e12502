package outbox_test

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
	"github.com/sourceflow-go/sourceflow/outbox"
)

// recordingTransport records what is published to it and whether it was
// closed.
type recordingTransport struct {
	mu        sync.Mutex
	published []string
	closed    bool
}

func (r *recordingTransport) Bind(context.Context, sourceflow.Binding) error { return nil }

func (r *recordingTransport) Publisher(string) (message.Publisher, error) { return r, nil }

func (r *recordingTransport) Subscriber(string) (message.Subscriber, error) {
	return nil, errors.New("not used")
}

func (r *recordingTransport) Publish(topic string, msgs ...*message.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, m := range msgs {
		r.published = append(r.published, topic+"/"+m.UUID)
	}
	return nil
}

func (r *recordingTransport) Close() error {
	r.closed = true
	return nil
}

// A message whose context carries no transaction is published straight to
// the inner transport; the database is never touched. One in a transaction
// on another database is refused, with the messages published with it:
// sending it at once would send it even if that transaction rolled back.
func TestPublishWithoutTransactionGoesStraightToTheInnerTransport(t *testing.T) {
	outboxDB, otherDB := new(sqldbtest.DB).Open(t), new(sqldbtest.DB).Open(t)
	inner := &recordingTransport{}
	box, err := outbox.New(outbox.Config{DB: outboxDB, Dialect: sourceflow.Postgres, Transport: inner})
	require.NoError(t, err)
	pub, err := box.Publisher("orders")
	require.NoError(t, err)

	plain := message.NewMessage("m-1", nil)
	require.NoError(t, pub.Publish("orders", plain))
	foreign := message.NewMessage("m-2", nil)
	foreign.SetContext(sqldb.ContextWithTx(context.Background(), otherDB, &sql.Tx{}))
	err = pub.Publish("orders", message.NewMessage("m-3", nil), foreign)
	require.ErrorIs(t, err, outbox.ErrForeignTransaction)
	assert.True(t, sourceflow.IsPermanent(err), "a configuration no retry cures")
	assert.ErrorContains(t, err, "m-2")
	assert.Equal(t, []string{"orders/m-1"}, inner.published)
}

func TestCloseClosesTheInnerTransportAndEndsBinding(t *testing.T) {
	inner := &recordingTransport{}
	box, err := outbox.New(outbox.Config{DB: new(sqldbtest.DB).Open(t), Dialect: sourceflow.MySQL, Transport: inner, DisableForwarder: true})
	require.NoError(t, err)
	require.NoError(t, box.Close())
	require.NoError(t, box.Close(), "Close is idempotent")
	assert.True(t, inner.closed)
	assert.ErrorIs(t, box.Bind(context.Background(), sourceflow.Binding{Service: "orders"}), outbox.ErrClosed)
}
