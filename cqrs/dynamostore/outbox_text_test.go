package dynamostore

import (
	"context"
	"errors"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
)

// A message written into the outbox whose id, destination or metadata is
// not valid UTF-8 is refused for good (ErrInvalidKey): the SDK would write
// it with U+FFFD in place of each invalid byte, and the sweep relay it
// changed. A valid message of the same transaction is written.
func TestOutboxRefusesAMessageThatIsNotUTF8(t *testing.T) {
	st, o := fakeOutbox(t, &fakeDynamo{}, &recordingTransport{})
	for name, tc := range map[string]struct {
		id, destination string
		metadata        message.Metadata
	}{
		"id":             {id: "m-\xff", destination: "events"},
		"destination":    {id: "m-1", destination: "events-\xff"},
		"metadata value": {id: "m-1", destination: "events", metadata: message.Metadata{"k": "v\xfe"}},
		"metadata key":   {id: "m-1", destination: "events", metadata: message.Metadata{"k\xfe": "v"}},
	} {
		t.Run(name, func(t *testing.T) {
			rollback := errors.New("rollback")
			err := st.WithinTx(context.Background(), func(ctx context.Context) error {
				pub, err := o.Publisher(tc.destination)
				require.NoError(t, err)
				bad := message.NewMessage(tc.id, []byte("{}"))
				bad.Metadata = tc.metadata
				bad.SetContext(ctx)
				err = pub.Publish(tc.destination, bad)
				require.ErrorIs(t, err, ErrInvalidKey)
				assert.ErrorIs(t, err, sourceflow.ErrPermanent)
				good := message.NewMessage("m-2", []byte("{}"))
				good.SetContext(ctx)
				require.NoError(t, pub.Publish("events", good), "a valid message of the transaction is written")
				return rollback
			})
			require.ErrorIs(t, err, rollback)
		})
	}
}
