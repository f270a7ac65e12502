package cqrs

import (
	"fmt"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/errtext"
)

// pubsubService names the Pub/Sub in a SizeError of PubSubTransport.
const pubsubService = "the Pub/Sub"

// messageBytes is the size of m as PubSubConfig.MaxMessageBytes counts it:
// its payload plus the bytes of each metadata key and value.
func messageBytes(m *message.Message) int {
	n := len(m.Payload)
	for k, v := range m.Metadata {
		n += len(k) + len(v)
	}
	return n
}

// checkSizes refuses msgs, for good (sourceflow.Permanent), when any is
// over limit (0: none), naming each such message in a
// *sourceflow.SizeError and destination: nothing of them is to be sent.
func checkSizes(destination string, limit int, msgs []*message.Message) error {
	if limit <= 0 {
		return nil
	}
	var errs []error
	for _, m := range msgs {
		if size := messageBytes(m); size > limit {
			errs = append(errs, &sourceflow.SizeError{UUID: m.UUID, Service: pubsubService, Size: size, Limit: limit})
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return sourceflow.Permanent(fmt.Errorf("cqrs: nothing sent to %q: %w", destination, errtext.Joined(errs)))
}
