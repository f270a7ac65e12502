package encryption

import "github.com/sourceflow-go/sourceflow"

// quotedText shows in an error a value the message's sender chose (its
// type, its occurred-at time, a field of its header) in double quotes,
// escaped and cut as sourceflow.IDText does: the error ends in a log line
// and a dead-letter reason, which a value quoted whole could flood (a
// 200 KB type) or act on a terminal with.
func quotedText(v string) string {
	return `"` + sourceflow.IDText(v) + `"`
}
