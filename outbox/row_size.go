package outbox

import (
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/ThreeDotsLabs/watermill/message"
)

// envelopeFrame is the JSON of an envelope around its values:
// {"destination_topic":,"uuid":,"payload":"","metadata":}.
const envelopeFrame = 64

// rowBytes returns the size of the outbox row that holds m for
// destination: the envelope, whose payload is base64, with its own id.
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
	return rowID + envelopeFrame + len(dest) + len(id) + len(md) + base64.StdEncoding.EncodedLen(len(m.Payload)), nil
}
