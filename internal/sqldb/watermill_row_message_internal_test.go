package sqldb

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow"
)

// A row's message holds its uuid, payload and a copy of its metadata; its
// reason is its sourceflow.MetaFailure, else why its metadata could not be
// read.
func TestWatermillRowMessageAndReason(t *testing.T) {
	r := WatermillRow{UUID: "u1", Payload: []byte("p"), Metadata: map[string]string{sourceflow.MetaFailure: "boom", "k": "v"}}
	m := r.Message()
	assert.Equal(t, "u1", m.UUID)
	assert.Equal(t, "p", string(m.Payload))
	assert.Equal(t, "v", m.Metadata.Get("k"))
	m.Metadata.Set("k", "changed")
	assert.Equal(t, "v", r.Metadata["k"], "the message's metadata is a copy")
	assert.Equal(t, "boom", r.Reason())

	bad := WatermillRow{Metadata: map[string]string{MetaBadRow: "not JSON"}, Unreadable: "not JSON"}
	assert.Equal(t, "not JSON", bad.Reason())
}
