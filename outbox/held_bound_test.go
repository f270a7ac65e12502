package outbox_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/outbox"
)

// hangingTransport is a stuckTransport whose publishes to the
// destinations in hang hang until release is closed, ignoring their
// context; entered, when set, counts the publishes begun per destination.
type hangingTransport struct {
	*stuckTransport
	hang    []string
	release chan struct{}
	entered *counter
}

func (h hangingTransport) Publisher(string) (message.Publisher, error) { return h, nil }

func (h hangingTransport) Publish(destination string, msgs ...*message.Message) error {
	if h.entered != nil {
		h.entered.add(destination)
	}
	if slices.Contains(h.hang, destination) {
		<-h.release
	}
	return h.stuckTransport.Publish(destination, msgs...)
}

// More destinations stuck than a pass of the held rows reads hold up no
// other: the passes read on past them, so a destination after them, in
// the order of names (PostgreSQL) and of keys (MySQL), is relayed.
func TestDestinationsStuckBeyondAPassBoundHoldUpNoOther(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		db := d.open(t)
		inner := newStuckTransport()
		inner.down.Store(true)
		// "a" comes first by name, "c" by SHA-256: "free" is after a stuck one in both.
		cfg, ids := heldOutbox(t, d, db, inner, 4, "a", "b", "c", "free")
		inner.down.Store(false)
		outbox.SetHeldDestinationsBound(t, 1)
		hanging := hangingTransport{stuckTransport: inner, hang: []string{"a", "b", "c"}, release: make(chan struct{})}
		cfg.Transport = hanging
		box, err := outbox.New(cfg)
		require.NoError(t, err)
		require.NoError(t, box.Bind(context.Background(), sourceflow.Binding{Service: "obr"}))
		t.Cleanup(func() { close(hanging.release); assert.NoError(t, box.Close()) })

		require.EventuallyWithT(t, func(c *assert.CollectT) {
			assert.Equal(c, ids[3:], inner.received("free"))
		}, waitFor, 10*time.Millisecond, "free's held row is relayed while the others' relays hang")
		assert.Empty(t, inner.received("a"), "a's relay still hangs")
	})
}
