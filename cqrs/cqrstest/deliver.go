package cqrstest

import (
	"context"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// Deliver publishes one message to destination on the harness's transport,
// as another sender, an older version or a redelivery would: env is its
// envelope as is (a MessageID already used makes it a redelivery; a
// PayloadVersion says which shape the body has; commands need their
// Sequence), with a fresh MessageID when empty and OccurredAt now when
// zero. payload is the body when it is a []byte, else encoded with the
// service's codec. The message counts for WaitIdle like the service's own.
func (h *Harness) Deliver(ctx context.Context, destination string, env cqrs.Envelope, payload any) error {
	body, ok := payload.([]byte)
	if !ok {
		var err error
		if body, err = h.codec.Marshal(payload); err != nil {
			return fmt.Errorf("cqrstest: deliver to %q: encode %T: %w", destination, payload, err)
		}
	}
	if env.MessageID == "" {
		env.MessageID = watermill.NewUUID()
	}
	if env.OccurredAt.IsZero() {
		env.OccurredAt = time.Now()
	}
	msg := message.NewMessage(env.MessageID, body)
	env.WriteTo(msg)
	msg.SetContext(ctx)
	pub, err := h.transport.Publisher(destination)
	if err != nil {
		return fmt.Errorf("cqrstest: deliver to %q: %w", destination, err)
	}
	if err := (trackingPublisher{Publisher: pub, k: h.track}).Publish(destination, msg); err != nil {
		return fmt.Errorf("cqrstest: deliver to %q: %w", destination, err)
	}
	return nil
}
