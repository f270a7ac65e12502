package cli

import (
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// selectFlags is a redrive command whose flags args set, and the
// selection they land in, not parsed yet.
func selectFlags(t *testing.T, args ...string) (*cobra.Command, *redriveSelect) {
	t.Helper()
	s := new(redriveSelect)
	cmd := &cobra.Command{Use: "redrive"}
	addRedriveTypeFlag(cmd, s)
	addRedriveSelectFlags(cmd, s, "when it was dead-lettered")
	require.NoError(t, cmd.Flags().Parse(args))
	return cmd, s
}

// parsedSelect parses args into a redrive selection as dlq redrive and
// dynamo redrive do, counting a duration back from now.
func parsedSelect(t *testing.T, now time.Time, args ...string) (redriveSelect, error) {
	t.Helper()
	cmd, s := selectFlags(t, args...)
	err := s.parseAt(cmd, now)
	return *s, err
}

func TestRedriveSelect_ReadsTimesAndDurationsAgo(t *testing.T) {
	now := time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)
	s, err := parsedSelect(t, now, "--after", "2026-12-07T02:10:00Z", "--before", "20m")
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, 12, 7, 2, 10, 0, 0, time.UTC), s.since)
	assert.Equal(t, time.Date(2026, 12, 7, 2, 40, 0, 0, time.UTC), s.until)
	assert.Equal(t, " dead-lettered from 2026-12-07T02:10:00Z to 2026-12-07T02:40:00Z", s.describe())

	at := func(h, m int) time.Time { return time.Date(2026, 12, 7, h, m, 0, 0, time.UTC) }
	assert.True(t, s.matches("a", true, "x", at(2, 10)), "--after is inclusive")
	assert.False(t, s.matches("a", true, "x", at(2, 40)), "--before is exclusive")
	assert.False(t, s.matches("a", true, "x", at(2, 9)))
	assert.False(t, s.matches("a", true, "x", time.Time{}), "an undated dead letter is not selected by a time")
}

func TestRedriveSelect_TypeAndReason(t *testing.T) {
	s, err := parsedSelect(t, time.Now(), "--type", "orders.PlaceOrder", "--reason", "i/o timeout")
	require.NoError(t, err)
	assert.True(t, s.any())
	assert.True(t, s.matches("orders.PlaceOrder", true, "inventory db: dial tcp: i/o timeout", time.Time{}))
	assert.False(t, s.matches("orders.PlaceOrder", true, "permanent: amount -5", time.Time{}))
	assert.False(t, s.matches("orders.CancelOrder", true, "i/o timeout", time.Time{}))
	assert.False(t, s.matches("orders.PlaceOrder", false, "i/o timeout", time.Time{}), "an unknown type is not of --type")
	assert.Equal(t, ` of type orders.PlaceOrder, whose reason contains "i/o timeout"`, s.describe())

	none, err := parsedSelect(t, time.Now())
	require.NoError(t, err)
	assert.False(t, none.any())
	assert.True(t, none.matches("", false, "", time.Time{}))
}

func TestRedriveSelect_BadValuesAreUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--type", ""}, {"--reason", ""}, {"--before", "yesterday"}, {"--after", "-2h"},
		{"--after", "1h", "--before", "2h"},
	} {
		_, err := parsedSelect(t, time.Now(), args...)
		var exit *ExitError
		require.ErrorAs(t, err, &exit, "%v", args)
		assert.Equal(t, ExitUsage, exit.Code, "%v", args)
	}
}
