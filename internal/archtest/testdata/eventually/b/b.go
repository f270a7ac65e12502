package b

import "github.com/stretchr/testify/require"

// Rows counts rows.
func Rows(t require.TestingT) int {
	require.True(t, true)
	return 1
}
