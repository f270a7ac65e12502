package cli

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
)

// The tabs that start a line continuing an error print as indentation, up
// to 4 of them; a tab anywhere else is escaped, as are the other controls.
// Within text quoted from outside (an error that wraps none, an AWS call's),
// a line break followed by a tab starts an indented line, which cannot read
// as one of the CLI's own; any other line break is escaped.
func TestErrorTextIndentsContinuationLinesWithTheirTabs(t *testing.T) {
	tabs := strings.Repeat("\t", maxIndent+2)
	err := errors.New("\tfailed:\n\tfirst\ttry\n\x1b[2J\r\n" + tabs + "deep")
	assert.Equal(t, `\tfailed:`+"\n"+indentTab+`first\ttry\n\x1b[2J\r`+"\n"+
		strings.Repeat(indentTab, maxIndent)+`\t\tdeep`, errorText(err))

	call := &smithy.OperationError{ServiceID: "SQS", OperationName: "GetQueueUrl",
		Err: &smithy.GenericAPIError{Code: "AccessDenied", Message: "denied\n\tError: forged"}}
	got := errorText(call)
	assert.Contains(t, got, "denied\n"+indentTab+"Error: forged", "a continuation line, indented")
	for _, line := range strings.Split(got, "\n") {
		assert.False(t, strings.HasPrefix(line, "Error: forged"), "a forged line at the margin:\n%s", got)
	}

	flush := &smithy.OperationError{ServiceID: "SQS", OperationName: "GetQueueUrl",
		Err: &smithy.GenericAPIError{Code: "AccessDenied", Message: "denied\nError: forged"}}
	assert.NotContains(t, errorText(flush), "\n", "a line break not followed by a tab stays escaped")
}
