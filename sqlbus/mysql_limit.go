package sqlbus

import (
	"encoding/json"
	"fmt"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// fits reports why m's row (id, payload and metadata), in an INSERT of its
// own, is larger than limit bytes (0: no limit), or nil when it fits.
func fits(m *message.Message, limit int) error {
	if limit <= 0 {
		return nil
	}
	md, err := json.Marshal(m.Metadata)
	if err != nil {
		return fmt.Errorf("its metadata does not encode: %w", err)
	}
	if err := sqldb.CheckPacket(rowLen(m, md), limit); err != nil {
		return fmt.Errorf("%w (payload %d bytes, metadata %d)", err, len(m.Payload), len(md))
	}
	return nil
}

// rowBytes returns the size of m's row (id, payload and metadata); metadata
// that does not encode counts for nothing (fits refuses such a message).
func rowBytes(m *message.Message) int {
	md, _ := json.Marshal(m.Metadata)
	return rowLen(m, md)
}

// rowLen is the size of m's row with metadata md, as the driver writes it
// when it interpolates parameters (see sqldb.EscapedLen).
func rowLen(m *message.Message, md []byte) int {
	return sqldb.EscapedLen(m.UUID) + sqldb.EscapedLen(m.Payload) + sqldb.EscapedLen(md)
}
