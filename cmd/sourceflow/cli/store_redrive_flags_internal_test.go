package cli

import (
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The flags sql redrive and dynamo redrive share land in their fields, the
// selection's ready for parse, and name the time --before compares.
func TestStoreRedriveFlagsParseIntoTheirFields(t *testing.T) {
	var f storeRedriveFlags
	cmd := &cobra.Command{Use: "redrive"}
	addStoreRedriveFlags(cmd, &f, "compared with the row's created_at")

	require.NoError(t, cmd.ParseFlags([]string{"--yes", "--reset-hops", "--type", "orders.PlaceOrder",
		"--reason", "timeout", "--before", "2026-12-07T02:40:00Z", "--after", "2h"}))
	require.NoError(t, f.sel.parseAt(cmd, time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)))

	assert.True(t, f.yes)
	assert.True(t, f.resetHops)
	assert.True(t, f.sel.matches("orders.PlaceOrder", true, "i/o timeout", time.Date(2026, 12, 7, 2, 10, 0, 0, time.UTC)))
	assert.False(t, f.sel.matches("orders.CancelOrder", true, "i/o timeout", time.Date(2026, 12, 7, 2, 10, 0, 0, time.UTC)))
	assert.Contains(t, cmd.Flags().Lookup("before").Usage, "compared with the row's created_at")
}

// Without the flags nothing moves and every dead letter is selected.
func TestStoreRedriveFlagsDefaultToCountingEveryDeadLetter(t *testing.T) {
	var f storeRedriveFlags
	cmd := &cobra.Command{Use: "redrive"}
	addStoreRedriveFlags(cmd, &f, "")

	require.NoError(t, cmd.ParseFlags(nil))
	require.NoError(t, f.sel.parse(cmd))

	assert.False(t, f.yes)
	assert.False(t, f.resetHops)
	assert.False(t, f.sel.any())
}
