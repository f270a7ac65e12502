package cli

import (
	"encoding/json"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// A dead letter says, with -o json, how many times it was redriven: a
// destination's from its metadata, an outbox's from its row's or its
// message's, whichever counts more; one never redriven says nothing.
func TestSQLLetterShowsItsRedrives(t *testing.T) {
	msg := message.NewMessage("row-1", []byte(`{}`))
	msg.Metadata.Set("sf_redrives", "2")
	l := decodeSQLLetter(cqrs.DeadLetter{Message: msg}, false, false)
	assert.Equal(t, 2, l.Redrives)

	env, err := json.Marshal(forwarderEnvelope{DestinationTopic: "payments", UUID: "m-1", Payload: []byte(`{}`),
		Metadata: map[string]string{"sf_redrives": "3"}})
	require.NoError(t, err)
	row := message.NewMessage("row-2", env)
	row.Metadata.Set("sf_redrives", "1")
	assert.Equal(t, 3, decodeSQLLetter(cqrs.DeadLetter{Message: row}, true, false).Redrives)

	b, err := json.Marshal(decodeSQLLetter(cqrs.DeadLetter{Message: message.NewMessage("row-3", nil)}, false, false))
	require.NoError(t, err)
	assert.NotContains(t, string(b), "redrives")
}
