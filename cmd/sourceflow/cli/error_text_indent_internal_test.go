package cli

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
)

// The tabs that start a line continuing an error print as indentation, up
// to 4 of them; a tab anywhere else is escaped, as are the other controls.
// Within text quoted from outside (an error that wraps none, an AWS call's),
// every line break is escaped, one followed by a tab too: an indented line
// there could read as one of pgx's tries or as the CLI's own.
func TestErrorTextIndentsContinuationLinesWithTheirTabs(t *testing.T) {
	tabs := strings.Repeat("\t", maxIndent+2)
	err := fmt.Errorf("\tfailed:\n\tfirst\ttry\x1b[2J\r\n"+tabs+"deep: %w", errors.New("cause"))
	assert.Equal(t, `\tfailed:`+"\n"+indentTab+`first\ttry\x1b[2J\r`+"\n"+
		strings.Repeat(indentTab, maxIndent)+`\t\tdeep: cause`, errorText(err))

	assert.Equal(t, `failed:\n\tfirst try\n\tsecond`, errorText(errors.New("failed:\n\tfirst try\n\tsecond")),
		"the text of an error that wraps none is one line")

	call := &smithy.OperationError{ServiceID: "SQS", OperationName: "GetQueueUrl",
		Err: &smithy.GenericAPIError{Code: "AccessDenied", Message: "denied\n\tError: forged"}}
	got := errorText(call)
	assert.Contains(t, got, `denied\n\tError: forged`)
	assert.NotContains(t, got, "\n", "an endpoint's line break followed by a tab stays escaped")
}

// pgx's error of a connection indents each line of the failures it wraps
// with a tab: those lines print indented, while a line break within the
// text of one of the failures (what a server answered) stays escaped.
func TestErrorTextKeepsTheLinesOfAnErrorWrappingOthersIndented(t *testing.T) {
	tries := errors.Join(errors.New("h1: dial error"), fmt.Errorf("h2: server error: %w", errors.New("FATAL: denied\nforged")))
	assert.Equal(t, "failed to connect:\n"+indentTab+"h1: dial error\n"+indentTab+`h2: server error: FATAL: denied\nforged`,
		errorText(indentingError{tries}))
}

// indentingError wraps err as pgconn.ConnectError does: its text follows
// its own words on a line of its own, a tab after each line break.
type indentingError struct{ err error }

func (e indentingError) Error() string {
	return "failed to connect:\n\t" + strings.ReplaceAll(e.err.Error(), "\n", "\n\t")
}
func (e indentingError) Unwrap() error { return e.err }
