package cli

import (
	"strings"

	"github.com/aws/smithy-go"

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
// answered, which may be anything; its own lines stay lines, but the line
// breaks within the text of an AWS call's error (awsCallTexts) are escaped
// (breaksEscaped), so that what an endpoint answered cannot print a line
// that reads as the CLI's own advice.
func errorText(err error) string {
	text := err.Error()
	for _, call := range awsCallTexts(err) {
		text = strings.ReplaceAll(text, call, breaksEscaped(call))
	}
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		lines[i] = printable(errtext.KeepEnds(line, maxErrorLine))
	}
	return strings.Join(lines, "\n")
}

// awsCallTexts are the texts, holding a line break, of the outermost
// errors of AWS calls that err wraps: a *smithy.OperationError (the SDK's
// error of a call, quoting what the endpoint answered) or a
// smithy.APIError (what it answered), the errors within them not apart.
func awsCallTexts(err error) []string {
	var texts []string
	var walk func(error)
	walk = func(e error) {
		switch inner := e.(type) { //nolint:errorlint // each error of the tree, one by one
		case nil:
		case *smithy.OperationError, smithy.APIError:
			if t := e.Error(); breaksEscaped(t) != t {
				texts = append(texts, t)
			}
		case interface{ Unwrap() []error }:
			for _, joined := range inner.Unwrap() {
				walk(joined)
			}
		case interface{ Unwrap() error }:
			walk(inner.Unwrap())
		}
	}
	walk(err)
	return texts
}

// lineBreaks escapes each character that breaks a line as Go writes it in
// a quoted string: \n, \r, vertical tab, form feed, NEL (U+0085), and the
// line and paragraph separators (U+2028, U+2029).
var lineBreaks = strings.NewReplacer("\n", `\n`, "\r", `\r`, "\v", `\v`, "\f", `\f`,
	"\u0085", `\u0085`, "\u2028", `\u2028`, "\u2029", `\u2029`)

// breaksEscaped is text with its line breaks escaped (lineBreaks).
func breaksEscaped(text string) string {
	return lineBreaks.Replace(text)
}
