package cli

import (
	"bytes"
	"database/sql/driver"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// hostileGroup is a consumer-group name that, printed raw, retitles and
// clears the terminal and adds a forged row to the listing.
const hostileGroup = "billing\x1b]0;owned\x07\x1b[2J\n\tpayments\t0"

// hostileGroupShown is hostileGroup as the sql commands print it.
const hostileGroupShown = `billing\x1b]0;owned\a\x1b[2J\n\tpayments\t0`

// A consumer group's name comes from the database, where anyone who may
// subscribe chose it: sql groups prints it escaped, on one row.
func TestSQLGroupsPrintsAGroupsNameEscapedOnOneRow(t *testing.T) {
	var out bytes.Buffer
	groups := []sqlbus.ConsumerGroup{{Service: hostileGroup, Ahead: 7}, {Service: "reporting", Ahead: 0}}

	require.NoError(t, writeGroupsTable(&out, "order-events", "postgres at db:5432", groups, []*int64{new(int64), nil}))

	text := out.String()
	assert.NotContains(t, text, "\x1b")
	assert.NotContains(t, text, "\x07")
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	require.Len(t, lines, 4, "the heading, one row per group and the count:\n%s", text)
	assert.Regexp(t, `^`+regexp.QuoteMeta(hostileGroupShown)+` +7 +0s$`, lines[1])
	assert.Regexp(t, `^reporting +0 +-$`, lines[2])
	assert.Equal(t, "2 consumer groups of destination order-events on postgres at db:5432.", lines[3])
}

// sql groups --remove without --yes names the group the database found,
// escaped.
func TestSQLGroupsRemoveDryRunPrintsTheGroupFoundEscaped(t *testing.T) {
	f := &sqldbtest.DB{Values: map[string]int64{"COUNT(": 1},
		Rows: map[string][]driver.Value{"SELECT consumer_group FROM": {hostileGroup}}}
	cmd := &cobra.Command{}
	var out bytes.Buffer
	cmd.SetOut(&out)

	err := newWarnConn(t, f).removeGroup(t.Context(), cmd, sqlGroupsFlags{destination: "order-events", remove: "billing"})

	require.NoError(t, err)
	text := out.String()
	assert.NotContains(t, text, "\x1b")
	assert.Equal(t, 1, strings.Count(text, "\n"), text)
	assert.Contains(t, text, "Would remove the consumer group of service "+hostileGroupShown+" (1 message ahead)")
}
