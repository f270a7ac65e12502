package cqrs

import "github.com/sourceflow-go/sourceflow/internal/sqsrules"

// maxFailureText bounds, in bytes, the failure reason markFailure records.
const maxFailureText = 512

// failureText is err's text as a metadata value every transport takes (see
// sqsrules.Text: the strictest rules, SQS's and SNS's; each run of bytes
// that are not UTF-8, and each character they refuse, such as NUL, becomes
// U+FFFD), at most maxFailureText bytes: a longer text keeps its beginning
// and its end, where the cause is (sqsrules.Reason).
func failureText(err error) string {
	return sqsrules.Reason(err.Error(), maxFailureText)
}
