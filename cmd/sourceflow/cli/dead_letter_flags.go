package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

// maxSQLLetters bounds the --max of the dead-letters commands.
const maxSQLLetters = 1000

// addDeadLetterFlags adds the flags the dead-letters commands (sql, dynamo)
// share: --max, how many dead letters to list; --summary, to count them by
// type and by reason instead; and -o/--output.
func addDeadLetterFlags(cmd *cobra.Command, max *int, summary *bool, output *string) {
	cmd.Flags().IntVar(max, "max", 10, fmt.Sprintf("most dead letters to show, 1..%d", maxSQLLetters))
	cmd.Flags().BoolVar(summary, "summary", false, "count the dead letters by type and by reason instead of listing them")
	addOutputFlag(cmd, output)
}

// checkDeadLetterFlags refuses, as a usage error, an --output or a --max
// that addDeadLetterFlags's flags do not take.
func checkDeadLetterFlags(output string, max int) error {
	if err := checkOutput(output); err != nil {
		return err
	}
	return checkMax(max, maxSQLLetters)
}
