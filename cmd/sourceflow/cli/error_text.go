package cli

import (
	"strings"

	"github.com/sourceflow-go/sourceflow/internal/errtext"
)

// maxErrorLine bounds, in bytes, each line of the error Run prints: one
// names at most ten resources and a cause of bounded length (see
// errtext.List, maxCause), but the SDK's error of a failed call quotes
// what the endpoint answered whole.
const maxErrorLine = 8 << 10

// errorText is err's text as Run prints it: each of its lines cut to
// maxErrorLine (errtext.KeepEnds) with the characters a terminal would act on
// escaped (printable). An error quotes what an endpoint or a database
// answered, which may be anything; its own lines stay lines.
func errorText(err error) string {
	lines := strings.Split(err.Error(), "\n")
	for i, line := range lines {
		lines[i] = printable(errtext.KeepEnds(line, maxErrorLine))
	}
	return strings.Join(lines, "\n")
}
