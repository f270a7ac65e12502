package sqldb

import (
	"encoding/json"
	"fmt"

	"github.com/ThreeDotsLabs/watermill/message"
)

// MessageFits reports why m's row in a watermill-sql table (id, payload
// and metadata), in an INSERT of its own, is larger than limit bytes (0:
// no limit), or nil when it fits.
func MessageFits(m *message.Message, limit int) error {
	if limit <= 0 {
		return nil
	}
	md, err := json.Marshal(m.Metadata)
	if err != nil {
		return fmt.Errorf("its metadata does not encode: %w", err)
	}
	if err := CheckPacket(messageRowLen(m, md), limit); err != nil {
		return fmt.Errorf("%w (payload %d bytes, metadata %d)", err, len(m.Payload), len(md))
	}
	return nil
}

// MessageRowBytes returns the size of m's row (id, payload and metadata);
// metadata that does not encode counts for nothing (MessageFits refuses
// such a message).
func MessageRowBytes(m *message.Message) int {
	md, _ := json.Marshal(m.Metadata)
	return messageRowLen(m, md)
}

// messageRowLen is the size of m's row with metadata md, as the driver
// writes it when it interpolates parameters (see EscapedLen).
func messageRowLen(m *message.Message, md []byte) int {
	return EscapedLen(m.UUID) + EscapedLen(m.Payload) + EscapedLen(md)
}
