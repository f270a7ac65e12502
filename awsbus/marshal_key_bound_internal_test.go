package awsbus

import (
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A metadata key is the publishing code's, but it may copy a received
// message's metadata, whose packed envelope carries keys of any length: an
// invalid key is named bounded, its length shown, not whole.
func TestMarshalBoundsAnInvalidMetadataKey(t *testing.T) {
	key := strings.Repeat("k ", 35_000)
	msg := message.NewMessage("u-1", []byte("x"))
	msg.Metadata = message.Metadata{key: "v"}
	_, err := marshal(msg)
	require.ErrorIs(t, err, ErrInvalidAttribute)
	assert.Less(t, len(err.Error()), 600, "the error text is bounded")
	assert.Contains(t, err.Error(), `metadata key "k k k`)
	assert.Contains(t, err.Error(), `…(70000 bytes)" is not a valid attribute name`)
}
