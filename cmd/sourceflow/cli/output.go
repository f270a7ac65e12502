package cli

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// Output formats of the commands that take --output.
const (
	outputTable = "table"
	outputJSON  = "json"
)

// addOutputFlag adds -o/--output, table (the default) or json, to cmd.
func addOutputFlag(cmd *cobra.Command, output *string) {
	cmd.Flags().StringVarP(output, "output", "o", outputTable, "output format: table or json")
}

// checkOutput refuses an --output that is neither table nor json, as a
// usage error.
func checkOutput(output string) error {
	if output != outputTable && output != outputJSON {
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("--output %q: want %s or %s", output, outputTable, outputJSON)}
	}
	return nil
}

// writeJSON writes v to w as indented JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
