package cqrs

import (
	"fmt"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
)

// unknownType returns the failure of msg, whose type env.Type no handler of
// the destination takes. During a rolling deploy a newer instance may take
// it where this one cannot (a type it added, on a queue or consumer group
// they share), so the failure is one a retry may cure: the transport
// delivers the message again after its redelivery pause (awsbus: to
// whichever instance receives it next; cqrs's transports and sqlbus: to
// this instance, or, once this instance closes, back to the Pub/Sub for
// another) until its last allowed delivery (sourceflow.IsLastDelivery),
// whose failure is permanent, so the dead letter carries this reason as
// it is. A replay does not retry: there it is permanent at once.
// An event whose type is outside its consumer group's event type filter
// never gets here (see unhandled); filterErr, when set, is why the filter
// could not be read, which the reason names.
func (d *dispatcher) unknownType(msg *message.Message, env Envelope, filterErr error) error {
	err := fmt.Errorf("%w: %s on destination %q (message %s); %s",
		ErrUnknownType, quotedID(env.Type), d.destination, quotedID(env.MessageID), handledTypesText(d.types()))
	if filterErr != nil {
		err = fmt.Errorf("%w; %w", err, filterErr)
	}
	if replayScopeOf(msg.Context()) != nil || sourceflow.IsLastDelivery(msg.Context(), msg.Metadata) {
		return sourceflow.Permanent(err)
	}
	return err
}
