package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"unicode/utf16"
	"unicode/utf8"

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

// writeJSON writes v to w as indented JSON, with the characters a
// terminal would act on escaped (see escapeJSONControls): what the
// commands print comes in part from messages anyone allowed to send wrote.
func writeJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(escapeJSONControls(buf.Bytes()))
	return err
}

// escapeJSONControls returns the JSON text b with every non-ASCII
// character a terminal would act on (C1 controls such as \u009b, format
// characters) written as a \u escape, which JSON reads as the same
// character: encoding/json escapes the ASCII controls only, and a dead
// letter's fields come from anyone who can send to the queue.
func escapeJSONControls(b []byte) []byte {
	var out bytes.Buffer
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		switch {
		case r < utf8.RuneSelf || strconv.IsPrint(r) || (r == utf8.RuneError && n == 1):
			out.Write(b[:n])
		case r > 0xFFFF:
			hi, lo := utf16.EncodeRune(r)
			fmt.Fprintf(&out, `\u%04x\u%04x`, hi, lo)
		default:
			fmt.Fprintf(&out, `\u%04x`, r)
		}
		b = b[n:]
	}
	return out.Bytes()
}
