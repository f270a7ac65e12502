package cli

import (
	"slices"
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
// escaped (errorLine). An error quotes what an endpoint or a database
// answered, which may be anything, within the text of the errors it wraps
// or in a text of its own that wraps none (a move task's failure reason);
// the lines of the errors that wrap others (a command's advice, a list of
// invalid fields) and of a command's own error (an *ExitError's, which
// escapes what it quotes itself) stay lines, but the line breaks within the text of an
// error that wraps none are escaped (wrappedBreaksEscaped), so that what
// an endpoint answered cannot print a line that reads as the CLI's own.
func errorText(err error) string {
	lines := strings.Split(wrappedBreaksEscaped(err), "\n")
	for i, line := range lines {
		lines[i] = errorLine(line, i > 0)
	}
	return strings.Join(lines, "\n")
}

// maxIndent is the most tabs errorLine prints as indentation.
const maxIndent = 4

// indentTab is what a tab that indents a line prints as.
const indentTab = "    "

// errorLine is line, a line of an error, cut to maxErrorLine with the
// characters a terminal would act on escaped (printable), but for the tabs
// that start it when it continues the error (up to maxIndent): those print
// as indentation (indentTab). pgx indents with one each failed try of a
// connection ("failed to connect to …:\n\t127.0.0.1:1 (127.0.0.1): dial
// error …"). A tab elsewhere is escaped.
func errorLine(line string, continues bool) string {
	tabs := 0
	if continues {
		tabs = min(len(line)-len(strings.TrimLeft(line, "\t")), maxIndent)
	}
	return strings.Repeat(indentTab, tabs) + printable(errtext.KeepEnds(line[tabs:], maxErrorLine))
}

// wrappedBreaksEscaped is err's text with the line breaks escaped
// (breaksEscaped) within the text of each error of its tree that wraps
// none (an AWS call's error, what the endpoint or the database answered),
// the text of an error that wraps others kept where it is its own. An
// error whose text does not hold those of the errors it wraps, in order,
// as they are or with their lines indented (cutWrapped), is escaped whole:
// what it says of them cannot be told from its own.
func wrappedBreaksEscaped(err error) string {
	text := err.Error()
	if exit, ok := err.(*ExitError); ok && len(wrappedBy(exit.Err)) == 0 { //nolint:errorlint // this error itself
		return text // the command's own words, whatever they quote escaped where they quote it
	}
	wrapped := wrappedBy(err)
	if len(wrapped) == 0 {
		return breaksEscaped(text)
	}
	var b strings.Builder
	rest := text
	for _, inner := range wrapped {
		before, after, indented, found := cutWrapped(rest, inner.Error())
		if !found {
			return breaksEscaped(text)
		}
		escaped := wrappedBreaksEscaped(inner)
		if indented {
			escaped = strings.ReplaceAll(escaped, "\n", "\n\t")
		}
		b.WriteString(before + escaped)
		rest = after
	}
	b.WriteString(rest)
	return b.String()
}

// cutWrapped cuts text around inner, the text of an error it wraps, as it
// is, or else with a tab after each of its line breaks (indented): pgx's
// error of a connection holds the failures of its tries so, one a line
// (pgconn.ConnectError).
func cutWrapped(text, inner string) (before, after string, indented, found bool) {
	if before, after, found = strings.Cut(text, inner); found || !strings.Contains(inner, "\n") {
		return before, after, false, found
	}
	before, after, found = strings.Cut(text, strings.ReplaceAll(inner, "\n", "\n\t"))
	return before, after, found, found
}

// wrappedBy are the errors err wraps itself (Unwrap), not those within
// them, leaving out nil.
func wrappedBy(err error) []error {
	var wrapped []error
	switch e := err.(type) { //nolint:errorlint // the errors err wraps itself, one by one
	case interface{ Unwrap() []error }:
		wrapped = e.Unwrap()
	case interface{ Unwrap() error }:
		wrapped = []error{e.Unwrap()}
	}
	return slices.DeleteFunc(slices.Clone(wrapped), func(e error) bool { return e == nil })
}

// lineBreaks escapes each character that breaks a line as Go writes it in
// a quoted string: \n, \r, vertical tab, form feed, NEL (U+0085), and the
// line and paragraph separators (U+2028, U+2029), a \n followed by a tab
// too: a line of the text quoted from outside, indented or not, could read
// as the CLI's own or as one of pgx's tries of a connection, which are
// lines of pgx's own error (cutWrapped).
var lineBreaks = strings.NewReplacer("\n", `\n`, "\r", `\r`, "\v", `\v`, "\f", `\f`,
	"\u0085", `\u0085`, "\u2028", `\u2028`, "\u2029", `\u2029`)

// breaksEscaped is text with its line breaks escaped (lineBreaks).
func breaksEscaped(text string) string {
	return lineBreaks.Replace(text)
}
