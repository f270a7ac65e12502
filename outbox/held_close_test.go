package outbox_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/outbox"
)

// stoppingTransport is a stuckTransport whose publish is cut short by the
// instance stopping: it cancels the retry's context and fails with it.
type stoppingTransport struct {
	*stuckTransport
	stop context.CancelFunc
}

func (s stoppingTransport) Publisher(string) (message.Publisher, error) { return s, nil }

func (s stoppingTransport) Publish(_ string, msgs ...*message.Message) error {
	s.stop()
	<-msgs[0].Context().Done()
	return fmt.Errorf("send: %w", msgs[0].Context().Err())
}

// A relay of a held row cut short by the instance stopping (Close) is not
// a failure of the destination: nothing is logged, as for the forwarder's
// rows, and the row stays held for the next instance.
func TestAHeldRowRelayCutShortByCloseIsNotLoggedAsAFailure(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		db := d.open(t)
		inner := newStuckTransport()
		inner.down.Store(true)
		cfg, _ := heldOutbox(t, d, db, inner, 1, "stuck")
		ctx, stop := context.WithCancel(context.Background())
		logs := watermill.NewCaptureLogger()
		cfg.Logger, cfg.Transport = logs, stoppingTransport{inner, stop}

		outbox.NewHeldPass(cfg, nil)(ctx)
		assert.Empty(t, logs.Captured()[watermill.ErrorLogLevel], "nothing logged at error level")
		assert.Equal(t, int64(1), waiting(t, cfg), "the row is still held")
	})
}
