package dynamostore_test

import (
	"context"
	"encoding/base64"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/dynamostore"
	"github.com/sourceflow-go/sourceflow/internal/dynamo/dynamotest"
)

// twoInstances returns two stores on the same tables, as two instances of
// a service have: each with its own in-process locks.
func twoInstances(t *testing.T) (a, b *dynamostore.Store) {
	t.Helper()
	api := dynamotest.Client(t)
	prefix := dynamotest.Prefix()
	cfg := dynamostore.Config{Client: api, TablePrefix: prefix}
	a, err := dynamostore.New(context.Background(), cfg)
	require.NoError(t, err)
	b, err = dynamostore.New(context.Background(), cfg)
	require.NoError(t, err)
	for _, tb := range append(a.Tables(), dynamostore.OutboxTable(cfg)) {
		dynamotest.DropTables(t, api, tb.Name)
	}
	return a, b
}

func TestASendThatLostTheRaceToTheSameCommandIsNotTakenForCommitted(t *testing.T) {
	ctx := context.Background()
	first, second := twoInstances(t)
	inner := &innerTransport{}
	o := newOutbox(t, second, inner)
	command := func(seq int64, payload string) cqrs.StoredCommand {
		return cqrs.StoredCommand{Envelope: cqrs.Envelope{Type: "t", MessageID: "cmd-1", EntityID: "e-1", Sequence: seq},
			Destination: "commands", Payload: []byte(payload)}
	}
	var once sync.Once
	err := second.Commands().(sourceflow.Transactor).WithinTx(ctx, func(ctx context.Context) error {
		seq, err := second.Commands().NextSequence(ctx, "e-1")
		if err != nil {
			return err
		}
		once.Do(func() {
			// The other instance, handling the same message, stores the
			// same command first, at the same sequence.
			_, err := send(context.Background(), first.Commands(), "e-1", "cmd-1")
			require.NoError(t, err)
		})
		if err := second.Commands().Append(ctx, command(seq, "from the second instance")); err != nil {
			return err
		}
		return publishIn(ctx, t, o, "commands", "cmd-1")
	})

	assert.ErrorIs(t, err, cqrs.ErrDuplicateCommand, "nothing of this transaction was written")
	assert.Empty(t, inner.uuids("commands"), "a message that was never written into the outbox is not relayed")
	assert.Equal(t, []int64{1}, sequences(t, first.Commands(), "e-1"))
}

// An Append whose answer was lost and whose resend failed its conditions
// was applied, and reports success; appending the same command again, as
// another instance handling the same message does, is a duplicate.
func TestAnAppendRecognisesItsOwnWriteButNotTheSameCommandAppendedAgain(t *testing.T) {
	ctx := context.Background()
	plain := dynamotest.Client(t)
	lossy := &losingAnswers{inner: plain.Options().HTTPClient}
	api := dynamodb.New(plain.Options(), func(o *dynamodb.Options) { o.HTTPClient = lossy })
	cfg := dynamostore.Config{Client: api, TablePrefix: dynamotest.Prefix()}
	st, err := dynamostore.New(ctx, cfg)
	require.NoError(t, err)
	for _, tb := range st.Tables() {
		dynamotest.DropTables(t, plain, tb.Name)
	}
	cmd := cqrs.StoredCommand{Envelope: cqrs.Envelope{Type: "t", MessageID: "cmd-1", EntityID: "e-1", Sequence: 1},
		Payload: []byte("appended once")}

	lossy.arm(base64.StdEncoding.EncodeToString(cmd.Payload), func() {})
	require.NoError(t, st.Commands().Append(ctx, cmd), "the first attempt was applied: its resend is no duplicate")
	assert.ErrorIs(t, st.Commands().Append(ctx, cmd), cqrs.ErrDuplicateCommand, "the store holds the command already")
	assert.Equal(t, []int64{1}, sequences(t, st.Commands(), "e-1"))
}
