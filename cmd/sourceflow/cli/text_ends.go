package cli

import "unicode/utf8"

// endsGap joins the beginning and the end of a text keepEnds cuts.
const endsGap = " … "

// keepEnds is text cut to at most n bytes when longer: its first third and
// its end, joined by endsGap, never inside a character. An error's text
// names what failed first and its cause last, and what an endpoint answered
// in between must not push the cause out.
func keepEnds(text string, n int) string {
	if len(text) <= n {
		return text
	}
	head := n / 3
	for head > 0 && !utf8.RuneStart(text[head]) {
		head--
	}
	tail := len(text) - max(0, n-head-len(endsGap))
	for tail < len(text) && !utf8.RuneStart(text[tail]) {
		tail++
	}
	return text[:head] + endsGap + text[tail:]
}
