package sourceflow

import "strconv"

// IDText shows an id a message's sender chose (its UUID, or the id of the
// message an outbox row forwards), or another short name it chose (its
// type), in a log line: characters a terminal or a log line would act on,
// and the backslash, are escaped as PanicText escapes them (\n, \x1b,
// \u200b), and the text is cut to MaxCorrelationIDLen (256) bytes,
// followed, when it was longer, by "…" and the id's own length in bytes
// as it came, not as escaped: "…(70000 bytes)". A cut text is always longer
// than 256 bytes and a whole one never is, so an id that itself ends
// "…(70000 bytes)" is told from a cut one by the text's length.
//
// Unlike a correlation id, which is left out when ValidCorrelationID
// refuses it, a message id is always shown: it is what an operator finds
// the message by, in a dead-letter queue or table. An ordinary id (a UUID)
// is shown as it is; one made long or unprintable is shown recognisably,
// without flooding the log or acting on the terminal, and two ids that
// differ only in such characters are still told apart, as are two long
// ids of different lengths that begin alike.
func IDText(id string) string {
	text, cut := escapePrefix(id, MaxCorrelationIDLen)
	if !cut {
		return text
	}
	return text + "…(" + strconv.Itoa(len(id)) + " bytes)"
}
