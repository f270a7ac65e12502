package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

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

// newTable returns a writer that aligns the tab-separated columns of what
// is written to it on w, as every table of the commands is laid out. The
// caller flushes it.
func newTable(w io.Writer) *tabwriter.Writer {
	return tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
}

// writeTable writes the header head and then lines, each a row of
// tab-separated columns, to w as an aligned table.
func writeTable(w io.Writer, head string, lines []string) error {
	tw := newTable(w)
	fmt.Fprintln(tw, head)
	for _, l := range lines {
		fmt.Fprintln(tw, l)
	}
	return tw.Flush()
}

// writeJSON writes v to w as indented JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
