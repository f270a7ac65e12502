package outbox_test

import (
	"context"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
	"github.com/sourceflow-go/sourceflow/outbox"
)

// The outbox stores a message as JSON, which would replace each byte of
// metadata (or of the id) that is not valid UTF-8 with U+FFFD: such a
// message in a transaction is refused for good, naming it and why, and
// nothing of the call is written. Outside a transaction it goes straight to
// the inner transport, unchanged.
func TestPublishRefusesMetadataThatIsNotValidUTF8(t *testing.T) {
	for _, d := range []sourceflow.Dialect{sourceflow.Postgres, sourceflow.MySQL} {
		t.Run(string(d), func(t *testing.T) {
			f := fakeDB("")
			db := f.Open(t)
			inner := &recordingTransport{}
			box, err := outbox.New(outbox.Config{DB: db, Dialect: d, Transport: inner})
			require.NoError(t, err)
			pub, err := box.Publisher("orders")
			require.NoError(t, err)
			tx, err := db.BeginTx(context.Background(), nil)
			require.NoError(t, err)
			defer func() { _ = tx.Rollback() }()
			inTx := sqldb.ContextWithTx(context.Background(), db, tx)

			good := message.NewMessage("good", []byte("{}"))
			badValue := message.NewMessage("bad-value", []byte("{}"))
			badValue.Metadata.Set("note", "caf\xe9")
			badKey := message.NewMessage("bad-key", []byte("{}"))
			badKey.Metadata.Set("n\xffte", "x")
			badID := message.NewMessage("bad-id-\xff", []byte("{}"))
			for _, c := range []struct {
				msg  *message.Message
				want string
			}{
				{badValue, `message "bad-value" for "orders": metadata "note" is not valid UTF-8`},
				{badKey, `message "bad-key" for "orders": metadata key "n\xffte" is not valid UTF-8`},
				{badID, `message "bad-id-\xff" for "orders": its id is not valid UTF-8`},
			} {
				good.SetContext(inTx)
				c.msg.SetContext(inTx)
				err := pub.Publish("orders", good, c.msg)
				require.ErrorIs(t, err, outbox.ErrInvalidMessage)
				assert.True(t, sourceflow.IsPermanent(err), "no retry can store it unchanged")
				assert.ErrorContains(t, err, c.want)
			}
			assert.Empty(t, f.Ran("INSERT"), "nothing of the calls is written")

			direct := message.NewMessage("direct", nil)
			direct.Metadata.Set("note", "caf\xe9")
			require.NoError(t, pub.Publish("orders", direct))
			assert.Equal(t, []string{"orders/direct"}, inner.published)
		})
	}
}
