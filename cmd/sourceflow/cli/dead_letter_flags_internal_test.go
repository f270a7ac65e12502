package cli

import (
	"testing"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The dead-letters commands of sql and dynamo take --max, --summary and
// -o alike: the same defaults, the same help, the same bounds.
func TestDeadLetterFlags(t *testing.T) {
	g := &globals{}
	sqlCmd, dynamoCmd := newSQLDeadLettersCommand(g), newDynamoDeadLettersCommand(g)
	for _, name := range []string{"max", "summary", "output"} {
		s, d := sqlCmd.Flags().Lookup(name), dynamoCmd.Flags().Lookup(name)
		require.NotNil(t, s, name)
		require.NotNil(t, d, name)
		assert.Equal(t, [3]string{s.DefValue, s.Usage, s.Shorthand}, [3]string{d.DefValue, d.Usage, d.Shorthand}, name)
	}

	var max int
	var summary bool
	var output string
	cmd := &cobra.Command{}
	addDeadLetterFlags(cmd, &max, &summary, &output)
	require.NoError(t, cmd.ParseFlags(nil))
	assert.Equal(t, 10, max)
	assert.Equal(t, "most dead letters to show, 1..1000", cmd.Flags().Lookup("max").Usage)
	require.NoError(t, checkDeadLetterFlags(output, max))
	require.NoError(t, checkDeadLetterFlags(outputJSON, 1000))
	for _, bad := range []struct {
		output string
		max    int
		want   string
	}{{outputTable, 0, "--max 0: want 1..1000"}, {outputTable, 1001, "--max 1001: want 1..1000"}, {"yaml", 10, `--output "yaml"`}} {
		err := checkDeadLetterFlags(bad.output, bad.max)
		var exit *ExitError
		require.ErrorAs(t, err, &exit, bad.want)
		assert.Equal(t, ExitUsage, exit.Code)
		assert.ErrorContains(t, err, bad.want)
	}
}
