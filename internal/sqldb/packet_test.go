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

func TestSplitRowsKeepsEachStatementWithinTheLimit(t *testing.T) {
	const limit = 4096
	size := func(n int) int { return n }
	row := (limit - StatementOverheadBytes) / 2 // two rows leave no room for their row overheads
	assert.Equal(t, [][]int{{row}, {row, 10, 20}}, SplitRows([]int{row, row, 10, 20}, size, limit))
	fit := (limit-StatementOverheadBytes)/2 - RowOverheadBytes
	assert.Equal(t, [][]int{{fit, fit}, {1}}, SplitRows([]int{fit, fit, 1}, size, limit))
	assert.Equal(t, [][]int{{limit * 2}, {1}}, SplitRows([]int{limit * 2, 1}, size, limit), "a row too large alone has a run of its own")
	assert.Equal(t, [][]int{{row, row, row}}, SplitRows([]int{row, row, row}, size, 0), "no limit")
	assert.Equal(t, [][]int{{row}}, SplitRows([]int{row}, size, limit))
}

// EscapedLen counts each byte go-sql-driver/mysql escapes into two when it
// interpolates a value, and nothing else twice.
func TestEscapedLenCountsWhatInterpolationEscapes(t *testing.T) {
	assert.Equal(t, 0, EscapedLen(""))
	assert.Equal(t, 5, EscapedLen("plain"))
	assert.Equal(t, 14, EscapedLen("\x00\n\r\\'\"\x1a"))
	assert.Equal(t, 9, EscapedLen([]byte(`{"a":1}`)), "seven bytes, two of them quotes")
	assert.Equal(t, 3, EscapedLen([]byte{0xff, 0xfe, 0x80}), "other bytes pass as they are")
}
