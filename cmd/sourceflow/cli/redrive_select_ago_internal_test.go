package cli

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// countFrom counts a duration back again from another clock (the
// database's, for sql redrive) and leaves an RFC 3339 time the instant it
// names, whatever its offset.
func TestRedriveSelect_CountFromAnotherClock(t *testing.T) {
	local := time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)
	s, err := parsedSelect(t, local, "--after", "2026-12-07T03:10:00+01:00", "--before", "20m")
	require.NoError(t, err)
	assert.True(t, s.relative())
	database := local.Add(-7 * time.Minute)
	require.NoError(t, s.countFrom(database))
	assert.Equal(t, database.Add(-20*time.Minute), s.until)
	assert.True(t, time.Date(2026, 12, 7, 2, 10, 0, 0, time.UTC).Equal(s.since), "an RFC 3339 time is an instant: %s", s.since)
	assert.Equal(t, " dead-lettered from 2026-12-07T02:10:00Z to 2026-12-07T02:33:00Z", s.describe())

	absolute, err := parsedSelect(t, local, "--before", "2026-12-07T02:40:00Z")
	require.NoError(t, err)
	assert.False(t, absolute.relative(), "an RFC 3339 time reads no clock")
}

// countFrom refuses an --after that the other clock puts at or after
// --before: no dead letter could match.
func TestRedriveSelect_CountFromRefusesAnEmptyRange(t *testing.T) {
	local := time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)
	s, err := parsedSelect(t, local, "--after", "2026-12-07T02:50:00Z", "--before", "5m")
	require.NoError(t, err)
	assert.ErrorContains(t, s.countFrom(local.Add(-10*time.Minute)), "--after 2026-12-07T02:50:00Z is not before --before 5m")
}

// parse, which sql redrive runs before it reads the database's time,
// leaves the order of an RFC 3339 time and a duration to countFrom: by a
// clock behind the database's, --after would not be before --before. Two
// RFC 3339 times are in order or not whatever the clock: parse refuses
// them. parseAt, counting from the local clock as dlq redrive and dynamo
// redrive do, refuses a range empty by that clock.
func TestRedriveSelect_ParseLeavesTheOrderOfADurationToCountFrom(t *testing.T) {
	local := time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)
	mixed := []string{"--after", "2026-12-07T02:50:00Z", "--before", "5m"}

	cmd, s := selectFlags(t, mixed...)
	require.NoError(t, s.parse(cmd), "the order of a time and a duration waits for the clock they are counted from")
	assert.True(t, s.until.IsZero(), "parse counts no duration")
	require.NoError(t, s.countFrom(local.Add(2*time.Hour)))
	assert.Equal(t, local.Add(2*time.Hour-5*time.Minute), s.until)

	_, err := parsedSelect(t, local.Add(-10*time.Minute), mixed...)
	var exit *ExitError
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, ExitUsage, exit.Code)
	assert.ErrorContains(t, err, "--after 2026-12-07T02:50:00Z is not before --before 5m: no dead letter can match")

	cmd, s = selectFlags(t, "--after", "2026-12-07T02:50:00Z", "--before", "2026-12-07T02:50:00Z")
	err = s.parse(cmd)
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, ExitUsage, exit.Code)
	assert.ErrorContains(t, err, "is not before --before 2026-12-07T02:50:00Z")
}
