package cli

import (
	"fmt"
	"io"
)

// writeCounts prints counts as a table headed by what they count (TYPE,
// REASON) and COUNT; an empty name shows as "-". Nothing when empty.
func writeCounts(w io.Writer, what string, counts []nameCount) error {
	if len(counts) == 0 {
		return nil
	}
	lines := make([]string, len(counts))
	for i, nc := range counts {
		lines[i] = fmt.Sprintf("%s\t%d", printable(firstOf(nc.name, "-")), nc.count)
	}
	return writeTable(w, what+"\tCOUNT", lines)
}
