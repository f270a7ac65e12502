package outbox

import (
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// envelopeFrame is the JSON of an envelope around its values, its quotes
// escaped: {"destination_topic":,"uuid":,"payload":"","metadata":}.
const envelopeFrame = 80

// rowBytes returns the size of the outbox row that holds m for
// destination: the envelope, whose payload is base64, with its own id, as
// the driver writes it when it interpolates parameters (see
// sqldb.EscapedLen; base64 needs no escape).
func rowBytes(destination string, m *message.Message) (int, error) {
	md, err := json.Marshal(m.Metadata)
	if err != nil {
		return 0, fmt.Errorf("its metadata does not encode: %w", err)
	}
	dest, err := json.Marshal(destination)
	if err != nil {
		return 0, fmt.Errorf("its destination does not encode: %w", err)
	}
	id, err := json.Marshal(m.UUID)
	if err != nil {
		return 0, fmt.Errorf("its id does not encode: %w", err)
	}
	const rowID = 36 // the id watermill gives the envelope's row
	return rowID + envelopeFrame + sqldb.EscapedLen(dest) + sqldb.EscapedLen(id) + sqldb.EscapedLen(md) +
		base64.StdEncoding.EncodedLen(len(m.Payload)), nil
}
