package sqldb

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckPacketRefusesARowThatLeavesNoRoomForItsStatement(t *testing.T) {
	const limit = 4096
	require.NoError(t, CheckPacket(limit-StatementOverheadBytes, limit))
	err := CheckPacket(limit-StatementOverheadBytes+1, limit)
	require.Error(t, err)
	assert.EqualError(t, err, "its row of 3073 bytes does not fit in the server's max_allowed_packet of 4096 bytes")
	assert.NoError(t, CheckPacket(1<<30, 0), "no limit")
}
