package outbox

import (
	"encoding/json"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// withoutHops returns rows with the hop count taken out of the forwarded
// message of each row's envelope. A payload that is no envelope, or whose
// message has no hop count, is kept byte for byte, as are the envelope's
// other fields.
func withoutHops(rows []sqldb.WatermillRow) []sqldb.WatermillRow {
	out := make([]sqldb.WatermillRow, len(rows))
	for i, r := range rows {
		if payload, ok := envelopeWithoutHops(r.Payload); ok {
			r.Payload = payload
		}
		out[i] = r
	}
	return out
}

// envelopeWithoutHops returns the forwarder envelope payload without
// sourceflow.MetaHops in its message's metadata; false when payload is no
// envelope or its message has no hop count.
func envelopeWithoutHops(payload []byte) ([]byte, bool) {
	var fields map[string]json.RawMessage
	var md map[string]string
	if json.Unmarshal(payload, &fields) != nil || json.Unmarshal(fields["metadata"], &md) != nil {
		return nil, false
	}
	if _, ok := md[sourceflow.MetaHops]; !ok {
		return nil, false
	}
	delete(md, sourceflow.MetaHops)
	b, err := json.Marshal(md)
	if err != nil {
		return nil, false
	}
	fields["metadata"] = b
	if b, err = json.Marshal(fields); err != nil {
		return nil, false
	}
	return b, true
}
